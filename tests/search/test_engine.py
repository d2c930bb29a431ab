"""The query builder's one door to the index (apps/search/query/engine.py): whatever a
request asks, what is sent is filtered on the company and routed by it."""

import pytest

from apps.search.documents import document_id
from apps.search.query import document_count, engine

pytestmark = pytest.mark.django_db


def test_a_request_is_sent_within_its_company_whatever_it_asks():
    """A pure function: the caller's query becomes a `must` under the company's filter, a
    completion suggester's context is the company's, routing is the company's."""
    asked = {
        "index": "products",
        "routing": "9",
        "size": 3,
        "query": {"bool": {"should": [{"term": {"tenant": "9"}}]}},
        "suggest": {
            "names": {
                "prefix": "iph",
                "completion": {"field": "suggest", "contexts": {"tenant": ["9"]}},
            },
            "words": {"text": "iph", "term": {"field": "name"}},
        },
    }
    assert engine.in_company(7, asked) == {
        "index": "products",
        "routing": "7",
        "size": 3,
        "query": {
            "bool": {
                "filter": [{"term": {"tenant": "7"}}],
                "must": [{"bool": {"should": [{"term": {"tenant": "9"}}]}}],
            }
        },
        "suggest": {
            "names": {
                "prefix": "iph",
                "completion": {"field": "suggest", "contexts": {"tenant": ["7"]}},
            },
            "words": {"text": "iph", "term": {"field": "name"}},
        },
    }
    # The caller's request is left as it was.
    assert asked["routing"] == "9"
    assert asked["suggest"]["names"]["completion"]["contexts"] == {"tenant": ["9"]}
    # No query: every document of the company.
    assert engine.in_company(7, {"size": 0}) == {
        "size": 0,
        "query": {"bool": {"filter": [{"term": {"tenant": "7"}}]}},
        "routing": "7",
    }


def test_a_search_for_everything_or_for_another_company_finds_only_the_companys(
    es, shop, tenant, other_tenant
):
    mine = shop.product(tenant, "iPhone ケース")
    theirs = shop.product(other_tenant, "iPhone 15 Pro")
    shop.refresh()

    def found(**request):
        answer = engine._search(es, tenant_id=tenant.pk, source=["product_id"], **request)
        return [int(hit["_source"]["product_id"]) for hit in answer["hits"]["hits"]]

    assert found(query={"match_all": {}}) == [mine.pk]
    assert found() == [mine.pk]
    assert found(query={"term": {"tenant": str(other_tenant.pk)}}) == []
    their_id = document_id(tenant_id=other_tenant.pk, product_id=theirs.pk)
    assert found(query={"ids": {"values": [their_id]}}) == []
    # A completion asked in the other company's context still completes the company's names.
    answer = engine._search(
        es,
        tenant_id=tenant.pk,
        size=0,
        source=["product_id"],
        suggest={
            "names": {
                "prefix": "iph",
                "completion": {"field": "suggest", "contexts": {"tenant": [str(other_tenant.pk)]}},
            }
        },
    )
    options = answer["suggest"]["names"][0]["options"]
    assert [int(o["_source"]["product_id"]) for o in options] == [mine.pk]
    assert (document_count(tenant_id=tenant.pk), document_count(tenant_id=other_tenant.pk)) == (
        1,
        1,
    )
