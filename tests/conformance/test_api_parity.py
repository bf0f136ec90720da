"""Keras 3.15.1's public names exist in minikeras under the same path (``api_parity.py``).

Every compared namespace is complete: each Keras name exists in minikeras
except the literal ``EXCLUDED`` ones (each with its reason) and the
namespaces of ``NOT_COMPARED``. ``api_parity_pinned.py`` also pins every name
present (a regression guard) and lists the complete namespaces, now all of
them. The coverage table is printed (``pytest -s``).
"""

import pytest

keras = pytest.importorskip("keras")

# The whole public API: filed with the top-level tests (chapter 1, like test_packaging.py).
pytestmark = pytest.mark.engine

import minikeras  # noqa: E402
from tests.conformance import api_parity  # noqa: E402
from tests.conformance import api_parity_pinned  # noqa: E402

ROWS = {row["namespace"]: row for row in api_parity.coverage(keras, minikeras)}


def test_every_keras_namespace_is_compared_or_listed_with_a_reason():
    top_level = {name for name in api_parity.public_names(keras) if api_parity.kind(getattr(keras, name)) == "module"}
    compared = {namespace.split(".")[0] for namespace in api_parity.NAMESPACES}
    unaccounted = top_level - compared - set(api_parity.NOT_COMPARED)
    assert not unaccounted, f"Keras namespaces neither compared nor in NOT_COMPARED: {sorted(unaccounted)}"


def test_exclusions_name_real_keras_names_each_with_a_reason():
    for (namespace, name), reason in api_parity.EXCLUDED.items():
        assert namespace in api_parity.NAMESPACES, f"excluded {name!r}: namespace {namespace!r} is not compared"
        assert hasattr(api_parity.resolve(keras, namespace), name), f"stale exclusion: keras.{namespace}.{name}"
        assert len(reason) > 10, f"exclusion of {namespace}.{name} needs a reason"


def test_pins_cover_only_compared_namespaces():
    assert set(api_parity_pinned.PINNED) <= set(api_parity.NAMESPACES)
    assert set(api_parity_pinned.COMPLETE) <= set(api_parity.NAMESPACES)


@pytest.mark.parametrize("namespace", api_parity.NAMESPACES)
def test_pinned_names_still_exist(namespace):
    row = ROWS[namespace]
    lost = sorted(set(api_parity_pinned.PINNED.get(namespace, ())) - set(row["present"]))
    assert not lost, f"keras.{namespace}: names minikeras had and lost: {lost}"


@pytest.mark.parametrize("namespace", api_parity_pinned.COMPLETE)
def test_complete_namespaces_have_every_keras_name(namespace):
    assert ROWS[namespace]["missing"] == [], f"keras.{namespace}: missing {ROWS[namespace]['missing']}"


def test_every_compared_namespace_is_complete():
    # Issue 18's bar: parity everywhere, with only the documented exclusions.
    assert set(api_parity_pinned.COMPLETE) == set(api_parity.NAMESPACES)
    missing = {namespace: row["missing"] for namespace, row in ROWS.items() if row["missing"]}
    assert not missing, f"Keras names missing from minikeras: {missing}"


def test_kind_must_match():
    # A module where Keras has a function is not that function.
    assert not api_parity.present(minikeras, "ops", keras.ops.relu)
    assert api_parity.present(minikeras.ops, "relu", keras.ops.relu)
    assert not api_parity.present(minikeras.ops, "no_such_op", keras.ops.relu)


def test_print_coverage_table():
    table = api_parity.markdown_table(list(ROWS.values()))
    print("\n" + table)
    assert table.count("\n") == len(api_parity.NAMESPACES) + 2
