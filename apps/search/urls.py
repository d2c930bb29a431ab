from django.urls import path

from apps.search import apis

api_patterns = [
    path("search", apis.SearchApi.as_view(), name="search-api"),
    path("search/suggest", apis.SuggestApi.as_view(), name="search-suggest-api"),
    path("search/synonyms", apis.SynonymListApi.as_view(), name="search-synonyms-api"),
    path(
        "search/synonyms/<int:synonym_id>",
        apis.SynonymDetailApi.as_view(),
        name="search-synonym-api",
    ),
]
