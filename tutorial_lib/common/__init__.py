"""What several parts of the course use, below all of them: checkpoints, the cache folder, the judges.

Modules:

* :mod:`~tutorial_lib.common.checkpoint`: atomic checkpoints, read with ``weights_only=True``
  (GAN training in 02–03 and 08, the feed-forward stylizer in 07, converted weights in 04–07).
* :mod:`~tutorial_lib.common.cache`: the one cache folder (``$TUTORIAL_CACHE_DIR``).
* :mod:`~tutorial_lib.common.classifier`: the small CNN that judges generated and translated images
  (02, 06 and 08).
* :mod:`~tutorial_lib.common.judges`: a panel of three such judges voting by mean probability, and its
  spread; trained once for animal-mnist and cached (02 and 08).

Nothing here imports a part of the course; the parts import from here.
"""
