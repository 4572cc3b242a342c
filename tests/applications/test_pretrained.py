import contextlib

import pytest
import torch

from tutorial_lib.applications.pretrained import pretrained_dir, trained_conditional_dcgan
from tutorial_lib.gan.callbacks import EMA, SampleSnapshots
from tutorial_lib.gan.recipes import conditional_dcgan, load_gan_dataset


def test_second_call_loads_the_cached_checkpoint(tmp_path):
    G1, h1 = trained_conditional_dcgan(3, dataset="digits", cache=tmp_path, progress=False)
    assert (tmp_path / "checkpoint.pt").is_file() and len(h1) == 3
    written = (tmp_path / "checkpoint.pt").stat().st_mtime_ns
    G2, h2 = trained_conditional_dcgan(3, dataset="digits", cache=tmp_path, progress=False)
    assert len(h2) == 3 and h2.loss_d == h1.loss_d
    assert (tmp_path / "checkpoint.pt").stat().st_mtime_ns == written  # loaded, not trained again
    for a, b in zip(G1.state_dict().values(), G2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert not G2.training and not any(p.requires_grad for p in G2.parameters())


def test_default_cache_folder_is_in_the_course_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_CACHE_DIR", str(tmp_path))
    own = pretrained_dir("animals", 1500, 0)
    assert own.parent == tmp_path / "gan"
    assert own.name.startswith("animals-1500steps-seed0-") and own.name.endswith("-applications")
    state = torch.get_rng_state()
    trained_conditional_dcgan(2, dataset="digits", progress=False)
    assert (pretrained_dir("digits", 2, 0) / "checkpoint.pt").is_file()
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random state is untouched


def test_each_recipe_has_its_own_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_CACHE_DIR", str(tmp_path))
    recipe = conditional_dcgan("animals")
    folder = recipe.checkpoint_dir("animals", 1500, 0)
    assert folder == conditional_dcgan("animals").checkpoint_dir("animals", 1500, 0)  # stable
    others = {recipe.without(name).checkpoint_dir("animals", 1500, 0) for name in ("R1 penalty", "AC-GAN term")}
    others |= {recipe.checkpoint_dir("animals", 1000, 0), recipe.checkpoint_dir("animals", 1500, 1)}
    assert folder not in others and len(others) == 4


def _notebook_02_run(steps, stop_after=None):
    """Train the digits recipe as notebook 02 trains the animals: EMA and snapshots, in the recipe's folder."""
    recipe = conditional_dcgan("digits")
    torch.manual_seed(0)
    G, D = recipe.build()
    ema = EMA(G, recipe.ema_decay)
    snaps = SampleSnapshots(torch.randn(4, recipe.latent_dim), at=[steps], y=torch.arange(4))
    callbacks = [ema, snaps]
    if stop_after is not None:

        def stop(info):
            if info.step == stop_after:
                raise KeyboardInterrupt

        callbacks.append(stop)
    folder = recipe.checkpoint_dir("digits", steps, 0)
    with contextlib.suppress(KeyboardInterrupt):  # the stop button, as in notebook 02
        recipe.train(G, D, load_gan_dataset("digits"), steps=steps, callbacks=callbacks, checkpoint_dir=folder,
                     checkpoint_every=1, seed=0, progress=False)  # fmt: skip
    return ema.model, folder


def test_loads_notebook_02s_finished_run_without_training(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_CACHE_DIR", str(tmp_path))
    G02, folder = _notebook_02_run(3)
    written = (folder / "checkpoint.pt").stat().st_mtime_ns
    G, history = trained_conditional_dcgan(3, dataset="digits", progress=False)
    assert len(history) == 3
    assert not pretrained_dir("digits", 3, 0).exists()  # nothing trained
    assert (folder / "checkpoint.pt").stat().st_mtime_ns == written  # and nothing written
    for a, b in zip(G.state_dict().values(), G02.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert not G.training and not any(p.requires_grad for p in G.parameters())


def test_an_unfinished_run_of_notebook_02_is_left_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_CACHE_DIR", str(tmp_path))
    _, folder = _notebook_02_run(3, stop_after=2)
    written = (folder / "checkpoint.pt").stat().st_mtime_ns
    _, history = trained_conditional_dcgan(3, dataset="digits", progress=False)
    assert len(history) == 3 and (pretrained_dir("digits", 3, 0) / "checkpoint.pt").is_file()
    assert (folder / "checkpoint.pt").stat().st_mtime_ns == written


def test_rejects_a_bad_step_count():
    with pytest.raises(ValueError, match="positive int"):
        trained_conditional_dcgan(0, dataset="digits", progress=False)
