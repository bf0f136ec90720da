"""``minikeras.tools``: what the teaching notebooks use to look inside the library.

Place in the stack: the top of the package, above the models, the trainers
and the callbacks it inspects. Nothing in minikeras imports it, and
``import minikeras`` does not load it (nor matplotlib): a notebook writes
``from minikeras import tools``. Each tool reads the library's real
structures (a tape's ``nodes``, a ``History``'s dict) and draws with
matplotlib only.

* ``notebook.py``: a chapter's first cell (versions, seeds, temporary folder)
  and its ``check_...`` exercise cells;
* ``tape_drawing.py``: ``draw_tape``, the graph a ``GradientTape`` recorded;
* ``history_plot.py``: ``plot_history``, the curves of a ``fit``;
* ``gradient_doctor.py``: ``check_gradients``, every op on a tape against
  float64 central differences, naming the first op, input and element that
  disagree;
* ``layer_statistics.py``: per-layer activation and gradient statistics
  (``layer_statistics``, the ``LayerStatistics`` callback, their plots).

``keras.utils.plot_model`` (the functional graph, also drawn with matplotlib)
is in ``minikeras/utils/model_visualization.py``, where Keras has it.
"""

from minikeras.tools import notebook
from minikeras.tools.history_plot import history_curves
from minikeras.tools.history_plot import plot_history
from minikeras.tools.tape_drawing import draw_tape
from minikeras.tools.tape_drawing import tape_graph
from minikeras.tools.gradient_doctor import GradientReport
from minikeras.tools.gradient_doctor import OpCheck
from minikeras.tools.gradient_doctor import check_gradients
from minikeras.tools.layer_statistics import LayerSnapshot
from minikeras.tools.layer_statistics import LayerStatistics
from minikeras.tools.layer_statistics import dead_layers
from minikeras.tools.layer_statistics import layer_statistics
from minikeras.tools.layer_statistics import plot_layer_histograms
from minikeras.tools.layer_statistics import plot_layer_trends
