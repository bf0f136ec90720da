"""Files named in a layer's config: read only when the user trusts the file.

Place in the stack: beside ``serialization_lib.py`` (which keeps the safe-mode
flag). Layers that accept a path in their config (``TextVectorization`` and
the lookup layers' ``vocabulary``) call ``read_vocabulary_file`` instead of
``open``: this module is the one place that decides whether such a path may
be read.

Why: a ``.keras`` file from a stranger could name ``/home/you/.ssh/id_rsa``
as a vocabulary. Loading it must not read that file, and no error message may
show its lines. So, as in Keras:

* while a model is loaded in safe mode (the default), any path in a config
  is refused: a vocabulary that belongs to a saved model travels inside the
  archive, as an asset, and is restored from there, never through a path;
* outside a load (a layer built in your code), or with ``safe_mode=False``,
  the path is read, but only if it is a regular file (not a FIFO or a
  device that would block or never end), and errors name the file and the
  problem, never its contents.
"""

from minikeras.saving import serialization_lib

MAX_VOCABULARY_FILE_BYTES = 2**30


def check_config_path_allowed(path, layer_name, argument):
    """Raises if a config's ``argument`` names a file while a safe-mode load is running.

    Args:
        path: the path given in the config.
        layer_name: the layer's name, for the message.
        argument: the config key (``"vocabulary"``).

    Raises:
        ValueError: in safe mode, with Keras's advice on how to opt out.
    """
    if serialization_lib.in_safe_mode():
        raise ValueError(
            f"Layer '{layer_name}': requested the loading of a {argument} file outside of the model "
            "archive. This carries a potential risk of loading arbitrary and sensitive files and "
            "thus it is disallowed by default. If you trust the source of the artifact, you can "
            "override this error by passing `safe_mode=False` to the loading function, or calling "
            f"`keras.config.enable_unsafe_deserialization()`. {argument.capitalize()} file: '{path}'"
        )


def read_vocabulary_file(path, layer_name, encoding="utf-8"):
    """The lines of a vocabulary file (one token per line), if reading it is allowed.

    Args:
        path: the file's path.
        layer_name: the layer's name, for messages.
        encoding: the file's text encoding.

    Returns:
        A list of str, one per line, without line endings.

    Raises:
        ValueError: in safe mode (see ``check_config_path_allowed``); for a
            missing file, a FIFO or device, a file over 1 GiB, or text that
            does not decode. No message quotes the file's contents.
    """
    from minikeras.saving.archive import open_regular_file
    check_config_path_allowed(path, layer_name, "vocabulary")
    try:
        file = open_regular_file(path)
    except ValueError as error:
        raise ValueError(f"Layer '{layer_name}': vocabulary file {path!r} does not exist or cannot "
                         f"be read: {error}") from None
    with file:
        data = file.read(MAX_VOCABULARY_FILE_BYTES + 1)
    if len(data) > MAX_VOCABULARY_FILE_BYTES:
        raise ValueError(f"Layer '{layer_name}': vocabulary file {path!r} is over the "
                         f"{MAX_VOCABULARY_FILE_BYTES} byte limit.")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ValueError(f"Layer '{layer_name}': vocabulary file {path!r} is not valid {encoding} "
                         f"text (byte offset {error.start}).") from None
    except LookupError:
        raise ValueError(f"Layer '{layer_name}': unknown encoding {encoding!r}.") from None
    return text.splitlines()
