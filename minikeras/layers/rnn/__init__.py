"""``minikeras.layers.rnn``: recurrent layers, the cells they run, and their wrappers.

Place in the stack: concrete layers over ``minikeras/layers/layer.py``; the
fast path reaches down to ``minikeras/autodiff/recurrent.py`` and
``kernels/recurrent_reference.py``. Read in this order:

1. ``rnn.py``               -- ``RNN``: the loop over time; BPTT falls out of the tape;
2. ``dropout_rnn_cell.py``  -- one dropout mask per sequence;
3. ``simple_rnn.py``        -- ``SimpleRNNCell`` / ``SimpleRNN``, the shared weight code;
4. ``lstm.py``, ``gru.py``  -- ``LSTMCell`` / ``LSTM``, ``GRUCell`` / ``GRU``;
5. ``conv_lstm.py``         -- ``ConvLSTM1D/2D/3D``: an LSTM over images, its products convolutions;
6. ``stacked_rnn_cells.py`` -- several cells as one (and helpers of this package);
7. ``fused.py``             -- when the whole-sequence op replaces the loop;
8. ``bidirectional.py``, ``time_distributed.py`` -- the wrappers.
"""

from minikeras.layers.rnn.bidirectional import Bidirectional
from minikeras.layers.rnn.conv_lstm import ConvLSTM1D
from minikeras.layers.rnn.conv_lstm import ConvLSTM2D
from minikeras.layers.rnn.conv_lstm import ConvLSTM3D
from minikeras.layers.rnn.gru import GRU
from minikeras.layers.rnn.gru import GRUCell
from minikeras.layers.rnn.lstm import LSTM
from minikeras.layers.rnn.lstm import LSTMCell
from minikeras.layers.rnn.rnn import RNN
from minikeras.layers.rnn.simple_rnn import SimpleRNN
from minikeras.layers.rnn.simple_rnn import SimpleRNNCell
from minikeras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from minikeras.layers.rnn.time_distributed import TimeDistributed
