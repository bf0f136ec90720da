"""Runnable examples. ``python -m minikeras.examples.mnist_convnet`` is the main job:
Keras's "Introduction to Keras for engineers" convnet, end to end, with minikeras."""
