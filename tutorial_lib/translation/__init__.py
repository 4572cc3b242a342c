"""Unpaired image-to-image translation with CycleGAN, for notebook 08.

Modules:

* :mod:`~tutorial_lib.translation.cyclegan`: two generators and two discriminators, the cycle and identity
  losses, as an objective that :func:`~tutorial_lib.gan.train.train_gan` trains.
* :mod:`~tutorial_lib.translation.horse_zebra`: the horse ↔ zebra recipe on animal-mnist and its check.

This room builds on :mod:`tutorial_lib.gan` (the losses and the training loop of 01–02).
"""
