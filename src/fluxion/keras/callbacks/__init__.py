"""`keras.callbacks`: hooks into `fit`/`evaluate`/`predict` — History, ProgbarLogger,
EarlyStopping, ModelCheckpoint, LearningRateScheduler, ReduceLROnPlateau, CSVLogger,
TerminateOnNaN, LambdaCallback, BackupAndRestore, TensorBoard.

Example:
>>> from fluxion import keras
>>> stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
>>> stop.patience
3
"""
from .callback import Callback, CallbackList
from .checkpoint import BackupAndRestore, ModelCheckpoint
from .history import CSVLogger, History, LambdaCallback, ProgbarLogger, TerminateOnNaN
from .monitoring import EarlyStopping, LearningRateScheduler, ReduceLROnPlateau
from .tensorboard import TensorBoard

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ModelCheckpoint", "LearningRateScheduler", "ReduceLROnPlateau", "CSVLogger",
           "TerminateOnNaN", "LambdaCallback", "BackupAndRestore", "TensorBoard"]
