"""Usage tests reuse the search tests' index of this run and their shop (products made
through the catalog's services and indexed as the drain would)."""

from tests.search.conftest import es, index, session_index, shop  # noqa: F401
