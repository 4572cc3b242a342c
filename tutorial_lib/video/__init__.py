"""Style transfer for video and at speed, for notebook 07.

Modules, in the notebook's order:

* :mod:`~tutorial_lib.video.clips`: a clip with known motion made from one still image, warping, GIFs.
* :mod:`~tutorial_lib.video.temporal`: flicker, the temporal-consistency loss and :func:`stylize_video`.
* :mod:`~tutorial_lib.video.feedforward`: a transformation network trained once per style (Johnson et al.),
  with :mod:`~tutorial_lib.video.transformnet` (the network) and :mod:`~tutorial_lib.video.photos` (its training crops).
* :mod:`~tutorial_lib.video.adain`: adaptive instance normalisation, any style in one pass.

This room builds on :mod:`tutorial_lib.style` (the extractor, the losses and :func:`stylize` of 04–05).
"""
