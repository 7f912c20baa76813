"""Training: the one loop (:mod:`~filmstyle.training.loop`), adaptation (the inner loop), meta-training
(outer loops), its tasks, procedural grades and the reconstruction warm-up."""
from filmstyle.training.adapt import AdaptResult, adapt, trainable_parameters

__all__ = ["AdaptResult", "adapt", "trainable_parameters"]
