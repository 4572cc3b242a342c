"""Neural style transfer: feature extractors, Gram matrices, losses and optimization."""

from .features import EXTRACTORS, FeatureExtractor, load_extractor

__all__ = ["EXTRACTORS", "FeatureExtractor", "load_extractor"]
