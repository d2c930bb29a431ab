"""The search API: products found by apps.search.query (the only code that searches), shown
as the catalog shows them, read from PostgreSQL; suggestions as people type; the company's
own synonyms. Everyone in the company (and every API key) searches; owners, admins and API
keys that may write keep the synonyms (apps.search.policies)."""

from django.core.validators import RegexValidator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import principal_of, principal_required
from apps.catalog.apis import ProductSerializer
from apps.catalog.models import MAX_PRICE
from apps.core.fields import ItemsField, StrictSerializer
from apps.core.openapi import error_response
from apps.core.pagination import SIGNED_CHARACTER
from apps.core.params import MAX_ID
from apps.search import policies, query, results, selectors, services
from apps.search.models import TenantSynonym
from apps.search.synonyms import TERM_PATTERN, parse_terms
from apps.tenants.request import tenant_of

# A position as django.core.signing writes it, around whitespace the field trims (an `after`
# of only whitespace is none); never empty, which the schema offers on its own.
AFTER_PATTERN = rf"^(?:\s+|\s*{SIGNED_CHARACTER}+\s*)$"
UNAVAILABLE = "Elasticsearch does not answer (code `search_unavailable`); try again shortly."
SEARCH_REFUSED = (
    "Pages deeper than 10,000 results (`page` times `limit`), `after` with a page other than "
    "1, `price_min` above `price_max`, or an `after` not made for this search (under the "
    "field)."
)


class SearchPermission(BasePermission):
    """Searching (and reading the synonyms) for everyone in the company; changing the
    synonyms for those who manage the catalog."""

    message = _("Only owners and admins change the synonyms.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        principal = principal_of(request)
        if request.method in SAFE_METHODS:
            return policies.can_search(principal)
        return policies.can_manage_synonyms(principal)


class HighlightSerializer(serializers.Serializer):
    name = serializers.CharField(
        help_text=_("HTML: the name, escaped, with what matched in <mark>…</mark>.")
    )
    description = serializers.CharField(
        allow_null=True,
        help_text=_("HTML: the passage of the description that matched, or null."),
    )


class SearchHitSerializer(ProductSerializer):
    highlight = HighlightSerializer(source="search_highlight")


class FacetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class CategoryFacetSerializer(FacetSerializer):
    path = serializers.CharField()


class PriceFacetSerializer(serializers.Serializer):
    key = serializers.CharField()
    # `from` is a Python keyword: declared through the class namespace.
    locals()["from"] = serializers.IntegerField(
        source="start", allow_null=True, help_text=_("Yen, inclusive; null: no lower bound.")
    )
    to = serializers.IntegerField(
        source="end", allow_null=True, help_text=_("Yen, exclusive; null: no upper bound.")
    )
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    categories = CategoryFacetSerializer(many=True)
    brands = FacetSerializer(many=True)
    prices = PriceFacetSerializer(many=True)


class SearchApi(APIView):
    """The company's products matching `q` (all when blank), filtered, sorted, with facets
    counted under the other filters (choosing a brand still counts the other brands), the
    matches highlighted, and "did you mean" when nothing matched. Page by `page` up to
    10,000 results, and from anywhere on with `after` (`next_after` of the previous answer)."""

    permission_classes = [SearchPermission]

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            max_length=query.MAX_QUERY_LENGTH, required=False, allow_blank=True, default=""
        )
        category = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, required=False, help_text=_("With its subcategories.")
        )
        brand = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
        price_min = serializers.IntegerField(
            min_value=0, max_value=MAX_PRICE, required=False, help_text=_("Yen, inclusive.")
        )
        price_max = serializers.IntegerField(
            min_value=0, max_value=MAX_PRICE, required=False, help_text=_("Yen, inclusive.")
        )
        in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)
        sort = serializers.ChoiceField(choices=query.SORTS, default="relevance")
        page = serializers.IntegerField(
            min_value=1,
            max_value=query.MAX_WINDOW,
            default=1,
            help_text=_("Up to 10,000 results deep (page times limit); further with `after`."),
        )
        after = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=query.MAX_AFTER_LENGTH,
            validators=[RegexValidator(AFTER_PATTERN)],
            help_text=_("`next_after` of the previous answer, for the same search."),
        )
        limit = serializers.IntegerField(min_value=1, max_value=100, default=20)

    class OutputSerializer(serializers.Serializer):
        results = SearchHitSerializer(many=True)
        total = serializers.IntegerField()
        total_is_estimate = serializers.BooleanField(
            help_text=_("True when more than 10,000 products matched: `total` is a floor.")
        )
        facets = FacetsSerializer()
        did_you_mean = serializers.CharField(
            allow_null=True, help_text=_("A corrected query, when nothing matched.")
        )
        next_after = serializers.CharField(
            allow_null=True, help_text=_("Pass as `after` for the next page; null at the end.")
        )
        page = serializers.IntegerField(allow_null=True)

    @extend_schema(
        operation_id="search",
        parameters=[FilterSerializer],
        responses={
            200: OutputSerializer,
            422: error_response(SEARCH_REFUSED),
            503: error_response(UNAVAILABLE),
        },
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        actor = principal_required(request)
        result = query.product_search(
            actor=actor,
            q=data["q"],
            category=data.get("category"),
            brand=data.get("brand"),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=data["in_stock"],
            sort=data["sort"],
            page=data["page"],
            after=data.get("after") or None,
            size=data["limit"],
        )
        body = {
            "results": results.shown_products(actor, result.hits),
            "total": result.total,
            "total_is_estimate": result.total_is_estimate,
            "facets": results.named_facets(actor, result),
            "did_you_mean": result.did_you_mean,
            "next_after": result.next_after,
            "page": result.page,
        }
        return Response(self.OutputSerializer(body).data)


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product_id")
    name = serializers.CharField()


class SuggestApi(APIView):
    """Up to 10 product names completing `q` as it is typed, also from the kana reading or
    its romaji (とうきょう or toukyou -> 東京タワー)."""

    permission_classes = [SearchPermission]

    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            max_length=query.MAX_QUERY_LENGTH, required=False, allow_blank=True, default=""
        )

    class OutputSerializer(serializers.Serializer):
        suggestions = SuggestionSerializer(many=True)

    @extend_schema(
        operation_id="search_suggest",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, 503: error_response(UNAVAILABLE)},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = query.product_suggest(
            actor=principal_required(request), q=params.validated_data["q"]
        )
        return Response(self.OutputSerializer({"suggestions": found}).data)


# Synonyms -----------------------------------------------------------------------------------


def _terms_count_message() -> str:
    """As the service says it, in the language of the request."""
    return gettext("Give %(min)d to %(max)d different terms.") % {
        "min": services.MIN_TERMS,
        "max": services.MAX_TERMS,
    }


class SynonymSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    terms = serializers.SerializerMethodField()

    def get_terms(self, synonym: TenantSynonym) -> list[str]:
        return parse_terms(synonym.terms)


class SynonymListApi(APIView):
    """The company's own synonym groups (GET), added to the built-in brand names at query
    time; a new group (POST) works from the next search on."""

    permission_classes = [SearchPermission]

    class InputSerializer(StrictSerializer):
        terms = ItemsField(
            child=serializers.CharField(
                max_length=services.MAX_TERM_LENGTH,
                validators=[RegexValidator(TERM_PATTERN, _("A term cannot hold a comma."))],
            ),
            min_length=services.MIN_TERMS,
            max_length=services.MAX_TERMS,
            error_messages={"min_length": lazy(_terms_count_message, str)()},
            help_text=_('2 to 10 terms that mean the same, e.g. ["アイフォン", "iPhone"].'),
        )

    @extend_schema(operation_id="search_synonyms_list", responses=SynonymSerializer(many=True))
    def get(self, request: Request) -> Response:
        synonyms = selectors.synonym_list(actor=principal_required(request))
        return Response(SynonymSerializer(synonyms, many=True).data)

    @extend_schema(
        operation_id="search_synonyms_create",
        request=InputSerializer,
        responses={
            201: SynonymSerializer,
            422: error_response(
                "Fewer than 2 different terms once compared normalised (iPhone, IPHONE), "
                "or the company has 500 groups already (under `errors.terms`)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        synonym = services.synonym_create(
            tenant=tenant_of(request),
            actor=principal_required(request),
            terms=data.validated_data["terms"],
        )
        return Response(SynonymSerializer(synonym).data, status=status.HTTP_201_CREATED)


class SynonymDetailApi(APIView):
    """Remove one of the company's synonym groups."""

    permission_classes = [SearchPermission]

    @extend_schema(operation_id="search_synonyms_delete", responses={204: None})
    def delete(self, request: Request, synonym_id: int) -> Response:
        actor = principal_required(request)
        synonym = selectors.synonym_get(actor=actor, synonym_id=synonym_id)
        services.synonym_delete(actor=actor, synonym=synonym)
        return Response(status=status.HTTP_204_NO_CONTENT)
