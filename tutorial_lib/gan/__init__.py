"""GANs for notebooks 01-03: losses, models, the training loop and how to judge the results.

Modules, one idea each:

* :mod:`~tutorial_lib.gan.losses`: L_D and L_G of every kind, gradient penalty, R1, D* and JS.
* :mod:`~tutorial_lib.gan.models` (with :mod:`~tutorial_lib.gan.layers`): MLP and DCGAN generators
  and discriminators, class-conditional variants, spectral norm and minibatch-std options.
* :mod:`~tutorial_lib.gan.train`: :func:`train_gan`, the one training loop; its helpers
  :mod:`~tutorial_lib.gan.sampler` (minibatches), :mod:`~tutorial_lib.gan.history`,
  :mod:`~tutorial_lib.gan.checkpoint`, :mod:`~tutorial_lib.gan.callbacks` and
  :mod:`~tutorial_lib.gan.regularizers` (penalties).
* :mod:`~tutorial_lib.gan.classifier` and :mod:`~tutorial_lib.gan.evaluation`: a judge classifier,
  class accuracy and diversity of a conditional GAN; :mod:`~tutorial_lib.gan.quality` runs the check.
* :mod:`~tutorial_lib.gan.recipes`: the tested settings of the course's conditional DCGAN.
* :mod:`~tutorial_lib.gan.latent`: latent interpolation.
* :mod:`~tutorial_lib.gan.metrics` and :mod:`~tutorial_lib.gan.remedies`: mode coverage of the 2-D mixtures,
  and the vanilla GAN with six remedies against mode collapse (notebook 03).
* :mod:`~tutorial_lib.gan.cyclegan` and :mod:`~tutorial_lib.gan.horse_zebra`: CycleGAN (unpaired translation,
  trained by :func:`train_gan` with an objective) and its horse ↔ zebra recipe and check (notebook 08).
"""

from .losses import (
    discriminator_loss,
    generator_loss,
    gradient_penalty,
    js_divergence,
    optimal_discriminator,
    r1_penalty,
)
from .train import TrainingDivergedError, train_gan

__all__ = [
    "TrainingDivergedError",
    "discriminator_loss",
    "generator_loss",
    "gradient_penalty",
    "js_divergence",
    "optimal_discriminator",
    "r1_penalty",
    "train_gan",
]
