"""Applications of trained GANs and of style transfer, for notebook 06.

Modules, in the notebook's order:

* :mod:`~tutorial_lib.applications.pretrained`: the conditional DCGAN of notebook 02, trained once and cached.
* :mod:`~tutorial_lib.applications.inpaint`: filling a hole by searching the GAN's latent space.
* :mod:`~tutorial_lib.applications.augment`: GAN samples as extra training data for a few-shot classifier.
* :mod:`~tutorial_lib.applications.memorization`: does the GAN copy its training set? Nearest neighbours.
* :mod:`~tutorial_lib.applications.art`: stylize your own photo (the panel itself is in :mod:`tutorial_lib.viz`).

This room builds on :mod:`tutorial_lib.gan` (02) and :mod:`tutorial_lib.style` (05).
"""
