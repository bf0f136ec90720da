"""``minikeras.callbacks``: objects that act at moments of ``fit``, ``evaluate`` and ``predict``.

Place in the stack: below ``minikeras.trainers``, whose loops call them, and
above ``minikeras.utils`` (the progress bar). ``ModelCheckpoint`` saves
through ``self.model.save``, so no callback imports ``minikeras.saving``.
Read ``callback.py`` (the hooks), then ``callback_list.py`` (how the loops
call them), then any callback: ``history.py``, ``progbar_logger.py``,
``monitor_callback.py`` (the base of ``early_stopping.py``,
``model_checkpoint.py`` and ``ReduceLROnPlateau``),
``learning_rate_scheduler.py``, ``csv_logger.py``, ``backup_and_restore.py``
(resume an interrupted ``fit``), ``remote_monitor.py``, ``tensorboard.py``.
"""

from minikeras.callbacks.backup_and_restore import BackupAndRestore
from minikeras.callbacks.callback import Callback
from minikeras.callbacks.callback_list import CallbackList
from minikeras.callbacks.csv_logger import CSVLogger
from minikeras.callbacks.csv_logger import LambdaCallback
from minikeras.callbacks.csv_logger import TerminateOnNaN
from minikeras.callbacks.early_stopping import EarlyStopping
from minikeras.callbacks.history import History
from minikeras.callbacks.learning_rate_scheduler import LearningRateScheduler
from minikeras.callbacks.learning_rate_scheduler import ReduceLROnPlateau
from minikeras.callbacks.model_checkpoint import ModelCheckpoint
from minikeras.callbacks.monitor_callback import MonitorCallback
from minikeras.callbacks.progbar_logger import ProgbarLogger
from minikeras.callbacks.remote_monitor import RemoteMonitor
from minikeras.callbacks.swap_ema_weights import SwapEMAWeights
from minikeras.callbacks.tensorboard import TensorBoard
