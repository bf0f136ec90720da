"""``minikeras.layers.attention``: the attention layers of transformers and seq2seq models.

Place in the stack: layers over ``minikeras.ops`` (``dot_product_attention``,
``einsum``) and ``layers/einsum_dense.py``. Read ``attention.py`` first (the
score / softmax / weighted-sum idea without learned projections), then
``attention_masks.py``, ``multi_head_attention.py`` and
``grouped_query_attention.py``.
"""

from minikeras.layers.attention.attention import AdditiveAttention
from minikeras.layers.attention.attention import Attention
from minikeras.layers.attention.grouped_query_attention import GroupedQueryAttention
from minikeras.layers.attention.multi_head_attention import MultiHeadAttention
