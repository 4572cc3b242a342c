"""Colour preservation for style transfer (Gatys, Ecker, Bethge, Hertzmann & Shechtman 2017).

Style transfer copies the style image's colours along with its brush strokes.
Two ways keep the content's colours instead:

* **Luminance-only transfer** (``preserve_color="luminance"``, what ``True`` means).
  Split images into luminance Y and chrominance (I, Q) with the YIQ transform
  (``Y = 0.299 R + 0.587 G + 0.114 B``). Stylize the luminance only, after
  matching the style's luminance mean and spread to the content's:
  ``Y_s' = σ_c / σ_s · (Y_s − μ_s) + μ_c``. Then recombine the stylized Y with the
  content's I and Q. Colours stay exactly the content's; only light and shade change.
* **Colour histogram matching** (``preserve_color="histogram"``). Before the transfer,
  map the style's pixels by an affine transform ``p' = A (p − μ_s) + μ_c`` with
  ``A = Σ_c^{1/2} Σ_s^{-1/2}``, so their mean and 3×3 covariance equal the content's.
  Then transfer as usual. The style keeps its colour *structure*, in the content's palette.
"""

from __future__ import annotations

import torch

# Rows give Y, I, Q from R, G, B (NTSC, as in Gatys et al. 2017).
RGB_TO_YIQ = torch.tensor(
    [
        [0.299, 0.587, 0.114],
        [0.596, -0.274, -0.322],
        [0.211, -0.523, 0.312],
    ]
)
COLOR_MODES = ("luminance", "histogram")


def _check_rgb(image: torch.Tensor, name: str) -> None:
    if image.ndim != 4 or image.shape[1] != 3:
        raise ValueError(f"{name} must have shape (N, 3, H, W); got {tuple(image.shape)}")


def _apply(matrix: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    return torch.einsum("ij,njhw->nihw", matrix.to(image), image)


def rgb_to_yiq(image: torch.Tensor) -> torch.Tensor:
    """RGB ``(N, 3, H, W)`` to YIQ ``(N, 3, H, W)``: Y in [0, 1], I and Q roughly in [−0.6, 0.6]."""
    _check_rgb(image, "image")
    return _apply(RGB_TO_YIQ, image)


def yiq_to_rgb(image: torch.Tensor) -> torch.Tensor:
    """YIQ ``(N, 3, H, W)`` back to RGB (not clamped)."""
    _check_rgb(image, "image")
    return _apply(torch.linalg.inv(RGB_TO_YIQ.double()).float(), image)


def luminance(image: torch.Tensor) -> torch.Tensor:
    """Y = 0.299 R + 0.587 G + 0.114 B of ``image: (N, 3, H, W)``, as ``(N, 1, H, W)``."""
    return rgb_to_yiq(image)[:, :1]


def match_luminance(style_y: torch.Tensor, content_y: torch.Tensor) -> torch.Tensor:
    """``Y_s' = σ_c / σ_s · (Y_s − μ_s) + μ_c``, clamped to [0, 1]. Both ``(1, 1, H, W)`` (sizes may differ)."""
    mu_s, sd_s = style_y.mean(), style_y.std().clamp_min(1e-6)
    mu_c, sd_c = content_y.mean(), content_y.std()
    return ((style_y - mu_s) * (sd_c / sd_s) + mu_c).clamp(0.0, 1.0)


def combine_luminance(y: torch.Tensor, color_source: torch.Tensor) -> torch.Tensor:
    """RGB image with luminance ``y: (N, 1, H, W)`` and the I, Q chrominance of ``color_source: (N, 3, H, W)``.

    ``color_source`` is resized to y's size when they differ. Returns ``(N, 3, H, W)`` clamped to [0, 1].
    """
    _check_rgb(color_source, "color_source")
    if y.ndim != 4 or y.shape[1] != 1:
        raise ValueError(f"y must have shape (N, 1, H, W); got {tuple(y.shape)}")
    if color_source.shape[-2:] != y.shape[-2:]:
        color_source = torch.nn.functional.interpolate(
            color_source, size=y.shape[-2:], mode="bilinear", align_corners=False
        )
    iq = rgb_to_yiq(color_source)[:, 1:]
    return yiq_to_rgb(torch.cat([y, iq], dim=1)).clamp(0.0, 1.0)


def _sqrtm(cov: torch.Tensor, inverse: bool = False) -> torch.Tensor:
    vals, vecs = torch.linalg.eigh(cov)
    vals = vals.clamp_min(1e-8)
    power = -0.5 if inverse else 0.5
    return vecs @ torch.diag(vals**power) @ vecs.T


def match_color(source: torch.Tensor, target: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """Recolour ``source`` so its pixel mean and RGB covariance equal ``target``'s.

    ``p' = A (p − μ_s) + μ_t`` with ``A = Σ_t^{1/2} Σ_s^{-1/2}`` (symmetric matrix square roots;
    ``eps·I`` is added to both covariances so flat images do not divide by zero).
    source: (1, 3, H, W), target: (1, 3, H', W'). Returns (1, 3, H, W) clamped to [0, 1].
    """
    _check_rgb(source, "source")
    _check_rgb(target, "target")
    s = source[0].flatten(1).double()  # (3, M)
    t = target[0].flatten(1).double()
    mu_s, mu_t = s.mean(1, keepdim=True), t.mean(1, keepdim=True)
    eye = torch.eye(3, dtype=s.dtype, device=s.device)
    cov_s = torch.cov(s) + eps * eye
    cov_t = torch.cov(t) + eps * eye
    a = _sqrtm(cov_t) @ _sqrtm(cov_s, inverse=True)
    out = a @ (s - mu_s) + mu_t
    return out.reshape(source.shape).to(source.dtype).clamp(0.0, 1.0)
