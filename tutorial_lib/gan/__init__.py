"""GANs for notebooks 01-03: losses, models, the training loop and how to judge the results.

Modules, one idea each:

* :mod:`~tutorial_lib.gan.losses`: L_D and L_G of every kind, gradient penalty, R1, D* and JS.
* :mod:`~tutorial_lib.gan.models` (with :mod:`~tutorial_lib.gan.layers`): MLP and DCGAN generators
  and discriminators, class-conditional variants, spectral norm and minibatch-std options.
* :mod:`~tutorial_lib.gan.train`: :func:`train_gan`, the one training loop; its helpers
  :mod:`~tutorial_lib.gan.step` (one step, all or nothing), :mod:`~tutorial_lib.gan.sampler`
  (minibatches), :mod:`~tutorial_lib.gan.history` (what is recorded, what the scores mean),
  :mod:`~tutorial_lib.gan.callbacks` and :mod:`~tutorial_lib.gan.regularizers` (penalties);
  checkpoints are :mod:`tutorial_lib.common.checkpoint`'s.
* :mod:`~tutorial_lib.gan.evaluation`: class accuracy and diversity of a conditional GAN, judged by
  :mod:`tutorial_lib.common.classifier`; :mod:`~tutorial_lib.gan.quality` runs the check.
* :mod:`~tutorial_lib.gan.recipes`: the tested settings of the course's conditional DCGAN.
* :mod:`~tutorial_lib.gan.latent`: latent interpolation.
* :mod:`~tutorial_lib.gan.remedies`, :mod:`~tutorial_lib.gan.comparison` and :mod:`~tutorial_lib.gan.population`:
  the vanilla GAN with six remedies against mode collapse, their mode coverage of the 2-D mixtures
  and the table that compares them, trained one run at a time or as one batched population (notebook 03).

Notebooks 06 and 08 build on this room: :mod:`tutorial_lib.applications` and :mod:`tutorial_lib.translation`.
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
