"""Adaptation (the inner loop) and meta-training (outer loops)."""
from filmstyle.training.adapt import AdaptResult, adapt, trainable_parameters

__all__ = ["AdaptResult", "adapt", "trainable_parameters"]
