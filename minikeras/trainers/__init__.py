"""``minikeras.trainers``: how a model learns from data.

Place in the stack: above layers, losses, metrics, optimizers and callbacks;
below models (``Model`` inherits ``Trainer``) and saving. Read in this order:

1. ``trainer.py``      -- ``Trainer``, the half of ``Model`` with ``compile``,
   ``fit``, ``evaluate``, ``predict`` and the overridable steps
   (``train_step``, ``test_step``, ``predict_step``);
2. ``loops.py``        -- the epoch and batch loops with their callbacks;
3. ``compile_utils.py`` -- what ``compile(loss=..., metrics=...)`` becomes;
4. ``epoch_iterator.py`` and ``data_adapters/`` -- where batches come from.

Nothing is imported here: ``minikeras.models`` imports ``Trainer`` from
``minikeras.trainers.trainer`` directly.
"""
