"""Each callback's behaviour, driven by hand through ``CallbackList`` (no layers needed)."""

import math
import os

import numpy as np
import pytest

from minikeras import callbacks
from tests.callbacks.fake_model import FakeModel
from tests.callbacks.fake_model import run_epochs


def losses(*values, key="val_loss"):
    return [{"loss": 1.0, key: value} for value in values]


# ----- Callback and CallbackList -----
def test_every_hook_is_called_with_sorted_float_logs():
    calls = []

    class Recorder(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            calls.append((epoch, list(logs), type(logs["loss"])))

    run_epochs([Recorder()], [{"loss": np.float32(0.5), "acc": 1}])
    assert calls == [(0, ["acc", "loss"], float)]


def test_callback_list_rejects_non_callbacks():
    with pytest.raises(TypeError, match="Callback"):
        callbacks.CallbackList([print])


def test_set_params_and_model():
    callback = callbacks.Callback()
    model = FakeModel()
    callbacks.CallbackList([callback], model=model, verbose=1, epochs=3, steps=7)
    assert callback.model is model
    assert callback.params == {"verbose": 1, "epochs": 3, "steps": 7}


def test_history_records_each_epoch_and_sets_model_history():
    history = callbacks.History()
    model, _ = run_epochs([history], [{"loss": 2.0}, {"loss": 1.0}])
    assert history.history == {"loss": [2.0, 1.0]}
    assert history.epoch == [0, 1]
    assert model.history is history


# ----- EarlyStopping -----
def test_early_stopping_patience():
    stopper = callbacks.EarlyStopping(patience=2)
    # best at epoch 1; epochs 2 and 3 do not improve: stop after epoch 3
    _, ran = run_epochs([stopper], losses(1.0, 0.5, 0.6, 0.7, 0.1, 0.1))
    assert ran == 4 and stopper.stopped_epoch == 3


def test_early_stopping_patience_zero_stops_at_first_non_improvement(capsys):
    stopper = callbacks.EarlyStopping(patience=0, verbose=1)
    _, ran = run_epochs([stopper], losses(1.0, 1.0, 0.5))
    assert ran == 2
    assert "Epoch 2: early stopping" in capsys.readouterr().out


def test_early_stopping_min_delta_and_max_mode():
    stopper = callbacks.EarlyStopping(monitor="val_acc", mode="max", min_delta=0.1, patience=0)
    # 0.55 beats 0.5 by less than min_delta: not an improvement
    _, ran = run_epochs([stopper], losses(0.5, 0.55, 0.9, key="val_acc"))
    assert ran == 2


def test_early_stopping_restores_best_weights(capsys):
    stopper = callbacks.EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    model, ran = run_epochs([stopper], losses(1.0, 0.2, 0.3, 0.4))
    assert ran == 3
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # epoch 1's weights
    assert "Restoring model weights from the end of the best epoch: 2." in capsys.readouterr().out


def test_early_stopping_baseline():
    # Improves slightly but never beats the baseline 0.1, so the patience
    # counter is never reset: the first non-improving epoch after `patience`
    # epochs stops training (Keras's rule).
    stopper = callbacks.EarlyStopping(patience=2, baseline=0.1)
    _, ran = run_epochs([stopper], losses(1.0, 0.9, 0.95, 0.7, 0.6))
    assert ran == 3
    # Beating the baseline resets the counter: training goes on.
    stopper = callbacks.EarlyStopping(patience=2, baseline=0.95)
    _, ran = run_epochs([stopper], losses(1.0, 0.9, 0.95, 0.7, 0.6))
    assert ran == 5


def test_early_stopping_start_from_epoch():
    stopper = callbacks.EarlyStopping(patience=0, start_from_epoch=3)
    _, ran = run_epochs([stopper], losses(1.0, 2.0, 3.0, 4.0, 5.0))
    # epochs 0-2 are ignored, epoch 3 sets the best, epoch 4 is worse: stop there
    assert ran == 5
    assert stopper.stopped_epoch == 4


def test_early_stopping_unknown_metric_warns():
    stopper = callbacks.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss` which is not available"):
        _, ran = run_epochs([stopper], [{"loss": 1.0}, {"loss": 2.0}])
    assert ran == 2


def test_early_stopping_auto_mode_needs_a_direction():
    stopper = callbacks.EarlyStopping(monitor="val_something")
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        run_epochs([stopper], losses(1.0, key="val_something"))


# ----- ModelCheckpoint -----
def test_checkpoint_file_names_use_one_based_epochs(tmp_path):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "model_at_epoch_{epoch}.keras"))
    model, _ = run_epochs([checkpoint], losses(1.0, 0.5))
    assert [os.path.basename(p) for p in model.saved] == ["model_at_epoch_1.keras", "model_at_epoch_2.keras"]


def test_checkpoint_formats_log_values(tmp_path):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "sub" / "{epoch:02d}-{val_loss:.2f}.keras"))
    model, _ = run_epochs([checkpoint], losses(0.4213))
    assert model.saved == [str(tmp_path / "sub" / "01-0.42.keras")]
    assert os.path.exists(model.saved[0])


def test_checkpoint_save_best_only(tmp_path, capsys):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "m{epoch}.keras"), save_best_only=True, verbose=1)
    model, _ = run_epochs([checkpoint], losses(1.0, 2.0, 0.5))
    assert [os.path.basename(p) for p in model.saved] == ["m1.keras", "m3.keras"]
    out = capsys.readouterr().out
    assert "Epoch 2: val_loss did not improve from 1.00000" in out
    assert "Epoch 3: val_loss improved from 1.00000 to 0.50000, saving model to" in out


def test_checkpoint_initial_value_threshold(tmp_path):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "m{epoch}.keras"), save_best_only=True,
                                           initial_value_threshold=0.7)
    model, _ = run_epochs([checkpoint], losses(1.0, 0.6))
    assert [os.path.basename(p) for p in model.saved] == ["m2.keras"]


def test_checkpoint_every_n_batches(tmp_path):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}b{batch}.keras"), save_freq=3)
    model, _ = run_epochs([checkpoint], losses(1.0, 1.0), steps=2)
    assert [os.path.basename(p) for p in model.saved] == ["e2b1.keras"]


def test_checkpoint_checks_the_extension():
    with pytest.raises(ValueError, match="must end in `.keras`"):
        callbacks.ModelCheckpoint("model.pkl")
    with pytest.raises(ValueError, match="must end in `.weights.h5`"):
        callbacks.ModelCheckpoint("model.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        callbacks.ModelCheckpoint("model.keras", save_freq="batch")


# ----- learning rate -----
def test_learning_rate_scheduler(capsys):
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr, verbose=1)
    history = callbacks.History()
    model, _ = run_epochs([scheduler, history], losses(1.0, 1.0, 1.0))
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.05." in capsys.readouterr().out


def test_learning_rate_scheduler_one_argument_form_and_bad_output():
    model, _ = run_epochs([callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))], losses(1.0, 1.0))
    assert model.optimizer.learning_rate == 0.02
    with pytest.raises(ValueError, match="should be a float"):
        run_epochs([callbacks.LearningRateScheduler(lambda epoch: "fast")], losses(1.0))


def test_reduce_lr_on_plateau():
    reducer = callbacks.ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.03)
    history = callbacks.History()
    model, _ = run_epochs([reducer, history], losses(1.0, 1.0, 1.0, 1.0, 1.0, 1.0))
    # no improvement after epoch 0: halved after epochs 2 and 4 (0.1 -> 0.05 -> min 0.03)
    assert history.history["learning_rate"] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.03]
    assert model.optimizer.learning_rate == 0.03
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=2.0)


def test_reduce_lr_cooldown():
    reducer = callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2)
    model, _ = run_epochs([reducer], losses(1.0, 1.0, 1.0, 1.0, 1.0))
    # reduced after epoch 1; epochs 2-3 cool down; reduced again after epoch 4
    assert model.optimizer.learning_rate == pytest.approx(0.025)


# ----- CSVLogger, TerminateOnNaN, LambdaCallback -----
def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    run_epochs([callbacks.CSVLogger(str(path))], [{"loss": 0.5, "acc": 0.25}, {"loss": 0.25, "acc": 0.5}])
    assert path.read_bytes().decode() == (
        "epoch,acc,loss,val_acc,val_loss\r\n0,0.25,0.5,NA,NA\r\n1,0.5,0.25,NA,NA\r\n"
    )
    run_epochs([callbacks.CSVLogger(str(path), append=True)], [{"loss": 0.125, "acc": 1.0}])
    assert path.read_bytes().decode().endswith("1,0.5,0.25,NA,NA\r\n0,1.0,0.125,NA,NA\r\n")


def test_csv_logger_with_validation_and_separator(tmp_path):
    path = tmp_path / "log.csv"
    run_epochs([callbacks.CSVLogger(str(path), separator=";")], [{"loss": 0.5, "val_loss": 0.75}])
    assert path.read_bytes().decode() == "epoch;loss;val_loss\r\n0;0.5;0.75\r\n"


def test_terminate_on_nan(capsys):
    model, ran = run_epochs([callbacks.TerminateOnNaN()], [{"loss": 1.0}, {"loss": math.nan}, {"loss": 1.0}])
    assert ran == 2 and model.stop_training
    assert "Batch 0: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        run_epochs([callbacks.TerminateOnNaN(raise_error=True)], [{"loss": math.inf}])


def test_lambda_callback():
    seen = []
    callback = callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.append("begin"),
        on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
        on_train_batch_end=lambda batch, logs: seen.append(f"batch {batch}"),
        on_train_end=lambda logs: seen.append("end"),
    )
    run_epochs([callback], [{"loss": 3.0}, {"loss": 2.0}])
    assert seen == ["begin", "batch 0", (0, 3.0), "batch 0", (1, 2.0), "end"]
