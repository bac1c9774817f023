"""Training: options, solvers, losses, the trainer and its monitoring."""

from .monitor import TrainingInfo
from .options import TrainingOptions, trainingOptions
from .trainer import trainNetwork

__all__ = ["TrainingInfo", "TrainingOptions", "trainNetwork", "trainingOptions"]
