"""Initializing a large weight needs little more memory than the weight itself.

Each check runs in a fresh subprocess, so that neither the peak resident size
(``resource.getrusage``) nor tracemalloc's peak carries anything of the test
session. A ``Dense(4000)`` kernel on 4,000 inputs is 61 MB of float32. Keras
builds a 244 MB kernel growing by 105 MB (measured for issue 14); drawing all
values at once in float64 and then scaling them took 5 times the kernel.
"""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.layers

_SCRIPT = textwrap.dedent(
    """
    import resource, sys, tracemalloc
    import minikeras

    units, initializer = int(sys.argv[1]), sys.argv[2]
    layer = minikeras.layers.Dense(units, kernel_initializer=initializer, use_bias=False)
    layer.build((None, 3))                      # imports everything the real build needs
    layer = minikeras.layers.Dense(units, kernel_initializer=initializer, use_bias=False)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    layer.build((None, units))
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    print(layer.kernel.numpy().nbytes, traced_peak, rss_growth)
    """
)


@pytest.mark.parametrize("initializer", ["glorot_uniform", "he_normal"])
def test_building_a_large_dense_layer_peaks_below_twice_its_kernel(initializer):
    result = subprocess.run([sys.executable, "-c", _SCRIPT, "4000", initializer],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    kernel_bytes, traced_peak, rss_growth = (int(word) for word in result.stdout.split())
    assert kernel_bytes == 4000 * 4000 * 4
    assert traced_peak <= 2 * kernel_bytes, f"tracemalloc peak {traced_peak / kernel_bytes:.2f}x the kernel"
    assert rss_growth <= 2 * kernel_bytes, f"resident size grew {rss_growth / kernel_bytes:.2f}x the kernel"
