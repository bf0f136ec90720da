"""RemoteMonitor: POST each epoch's logs to a web server (a live dashboard).

Place in the stack: a callback over ``callback.py``; it uses only the
standard library's ``urllib`` (Keras uses the ``requests`` package).

At every epoch's end it sends ``{"epoch": e, "loss": ..., ...}``: by default
as a form field (``data=<the JSON text>``, content type
``application/x-www-form-urlencoded``), or with ``send_as_json=True`` as a
JSON body. A server that cannot be reached gives a warning, never a failed
training run.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from minikeras.callbacks.callback import Callback

TIMEOUT_SECONDS = 5.0  # a slow dashboard must not hold training up for long


class RemoteMonitor(Callback):
    """Sends the logs of every epoch to ``root + path`` by HTTP POST.

    Args:
        root: the server's address, e.g. ``"http://localhost:9000"``.
        path: the path on that server.
        field: the form field that holds the JSON text (form posts only).
        headers: dict of extra HTTP headers, or None.
        send_as_json: post the logs as a JSON body instead of a form.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        self.root, self.path, self.field = root, path, field
        self.headers, self.send_as_json = headers, send_as_json

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        if self.send_as_json:
            body, content_type = json.dumps(send).encode(), "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.root + self.path, data=body, method="POST",
                                         headers={"Content-Type": content_type, **(self.headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
                pass
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
