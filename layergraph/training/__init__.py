"""Training: options, solvers, losses, the trainer and its monitoring.

``trainingOptions`` (options.py) needs no torch, so a spec's training options are checked without
it; the trainer (and torch) is imported when ``trainNetwork`` is first used (PEP 562).
"""

from ..lazy import lazy_names
from ..services import promise

promise("trainnet_several", f"{__name__}.multiple")
promise("full_batch_trainer", f"{__name__}.fullbatch")  # the lbfgs and lm solvers

_METRICS = ("accuracyMetric", "aucMetric", "fScoreMetric", "mapeMetric", "precisionMetric",
            "recallMetric", "rmseMetric")
_SCHEDULES = ("cosineLearnRate", "cyclicalLearnRate", "exponentialLearnRate", "piecewiseLearnRate",
              "polynomialLearnRate", "warmupLearnRate")
_WHERE = {"TrainingInfo": "monitor", "TrainingOptions": "options", "trainingOptions": "options",
          "trainNetwork": "trainer", "trainnet": "trainer",
          **{name: "metrics" for name in _METRICS},
          **{name: "schedules" for name in _SCHEDULES}}

__all__ = ["TrainingInfo", "TrainingOptions", "trainNetwork", "trainingOptions", "trainnet",
           *_METRICS, *_SCHEDULES]


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
