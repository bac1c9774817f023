"""Training: options, the trainer, and the training record (MATLAB's info)."""

from .options import TrainingOptions, trainingOptions

__all__ = ["TrainingOptions", "trainingOptions"]
