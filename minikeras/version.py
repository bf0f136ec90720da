"""The version of minikeras, in a module of its own at the bottom of the stack.

``minikeras.__version__`` re-exports it; ``saving/saving_lib.py`` writes it
into each ``.keras`` file's metadata; ``setup.cfg`` reads it without importing
the package.
"""

__version__ = "0.1.0"
