"""Privacy with a guarantee, for notebook 09: a GAN whose discriminator is trained with DP-SGD.

Modules:

* :mod:`~tutorial_lib.privacy.dpsgd`: DP-SGD with Opacus: per-sample clipping C, noise σ, Poisson sampling
  q, the RDP accountant's (ε, δ), and the batch-norm-free discriminator it needs.
* :mod:`~tutorial_lib.privacy.dp_gan`: the conditional DCGAN of notebook 02 trained with a private discriminator.
* :mod:`~tutorial_lib.privacy.membership`: the membership-inference attack that privacy defends against, and
  the bound DP puts on it.

This room builds on :mod:`tutorial_lib.gan` (models, losses, weight averaging). Notebook 09 also uses the
memorization check of :mod:`tutorial_lib.applications.memorization` (notebook 06).
"""
