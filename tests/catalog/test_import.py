"""The products CSV import: upserts by SKU in UTF-8 or Shift_JIS, refuses a whole file for
any bad row (nothing written, not even to the outbox), 10,000 rows at a time."""

import time
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.catalog.models import Brand, Category, Product
from apps.search.models import OutboxEntry
from tests.accounts.factories import MembershipFactory
from tests.api import api_client
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db

HEADER = "sku,name,price,stock,category,brand,description,active"
KNOWN = "sku, name, price, description, stock, category, brand, active"


@pytest.fixture
def shop(tenant, client_of):
    return client_of(MembershipFactory(tenant=tenant, role="admin"))


def outbox(tenant) -> list[int]:
    connection.set_schema_to_public()  # as the operator: every company's entries
    return list(
        OutboxEntry.objects.filter(tenant=tenant, kind="product")
        .order_by("id")
        .values_list("object_id", flat=True)
    )


def send(client, data: bytes | str, *, encoding: str = "utf-8"):
    raw = data.encode(encoding) if isinstance(data, str) else data
    upload = SimpleUploadedFile("products.csv", raw, content_type="text/csv")
    return client.post("/api/products/import", {"file": upload}, format="multipart")


def products(tenant) -> dict[str, tuple]:
    with schema_context(tenant.schema_name):
        return {
            p.sku: (
                p.name,
                p.price,
                p.stock,
                p.category.path if p.category else None,
                p.brand.name if p.brand else None,
                p.description,
                p.active,
            )
            for p in Product.objects.select_related("category__parent", "brand")
        }


def many(count: int, *, start: int = 0) -> list[str]:
    return [
        f"SKU-{n:05d},商品 {n},{100 + n},{n % 7},食品 > お菓子,Kura,,true"
        for n in range(start, start + count)
    ]


def test_a_file_creates_and_updates_products(tenant, shop):
    made = shop.post(
        "/api/products",
        {"name": "iPhone 15 Pro", "sku": "IP15P", "price": 159800, "stock": 3},
        format="json",
    ).json()
    # Columns in any order; a blank cell keeps the product's value (IP15P's stock); numbers
    # with thousands separators or in full-width digits.
    body = "\n".join(
        [
            "price,sku,name,category,brand,stock,active,description",
            '"149,800",IP15P,iPhone 15 Pro 256GB,家電 > スマートフォン,Apple,,yes,',
            "3300,TT-1,東京タワー 模型,ホビー > 模型,Kawada,１２,0,東京都港区のランドマーク",  # noqa: RUF001 - the width is the point
            "１４９０,BOX-1, 住まいの収納ボックス ,インテリア,,,,",  # noqa: RUF001
            "",
        ]
    )
    response = send(shop, body)
    assert (response.status_code, response.json()) == (
        200,
        {"created": 2, "updated": 1, "unchanged": 0},
    )
    assert products(tenant) == {
        "IP15P": ("iPhone 15 Pro 256GB", 149800, 3, "家電 > スマートフォン", "Apple", "", True),
        "TT-1": (
            "東京タワー 模型",
            3300,
            12,
            "ホビー > 模型",
            "Kawada",
            "東京都港区のランドマーク",
            False,
        ),
        "BOX-1": ("住まいの収納ボックス", 1490, 0, "インテリア", None, "", True),
    }
    with schema_context(tenant.schema_name):
        ids = dict(Product.objects.values_list("sku", "id"))
        assert sorted(c.path for c in Category.objects.all()) == [
            "インテリア",
            "ホビー",
            "ホビー > 模型",
            "家電",
            "家電 > スマートフォン",
        ]
        assert sorted(Brand.objects.values_list("name", flat=True)) == ["Apple", "Kawada"]
    assert outbox(tenant) == [made["id"], ids["TT-1"], ids["BOX-1"], ids["IP15P"]]

    # The same file again: nothing to write, nothing to reindex.
    again = send(shop, body)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    assert len(outbox(tenant)) == 4
    changed = send(shop, "sku,name,price\nTT-1,東京タワー 模型 1/1000,7700\n")
    assert changed.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert products(tenant)["TT-1"][:3] == ("東京タワー 模型 1/1000", 7700, 12)
    assert outbox(tenant)[4:] == [ids["TT-1"]]


@pytest.mark.parametrize("encoding", ["shift_jis", "cp932"])
def test_a_shift_jis_file_is_converted(tenant, shop, encoding):
    body = f"{HEADER}\r\nKY-1,京都 八ツ橋 詰め合わせ,1080,5,食品 > お菓子,聖護院,生八ツ橋,true\r\n"
    if encoding == "cp932":  # Windows' additions: circled numbers, a wave dash
        body += "KY-2,抹茶チョコ ①\uff5e③,980,1,食品 > お菓子,聖護院,,true\r\n"
    response = send(shop, body, encoding=encoding)
    assert response.status_code == 200, response.json()
    expected = {
        "KY-1": ("京都 八ツ橋 詰め合わせ", 1080, 5, "食品 > お菓子", "聖護院", "生八ツ橋", True)
    }
    if encoding == "cp932":
        expected["KY-2"] = ("抹茶チョコ ①\uff5e③", 980, 1, "食品 > お菓子", "聖護院", "", True)
    assert products(tenant) == expected


def test_a_utf8_file_with_a_bom(tenant, shop):
    response = send(shop, "\ufeffSKU,Name,Price\nA-1,ノートパソコン,98000\n")
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert products(tenant) == {"A-1": ("ノートパソコン", 98000, 0, None, None, "", True)}


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        (
            "sku,title,price,colour",
            [
                "Missing columns: name.",
                f"Unknown columns: title, colour (the columns are {KNOWN}).",
            ],
        ),
        ("name", ["Missing columns: sku, price."]),
        ("sku,name,price,price", ["Repeated columns: price."]),
        ("", ["Missing columns: sku, name, price."]),
    ],
)
def test_wrong_columns_are_named(tenant, shop, header, problems):
    response = send(shop, f"{header}\nA-1,x,1,y\n")
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "import_invalid",
        "message": " ".join(problems),
        "errors": {"columns": problems},
    }


def test_a_header_of_30000_columns_is_refused_at_once_in_a_few_words(tenant, shop):
    header = ",".join(f"column{n}" for n in range(30_000))  # 198,890 bytes
    started = time.perf_counter()
    response = send(shop, f"{header}\n")
    elapsed = time.perf_counter() - started
    problem = (
        f"The header has 30000 columns; a file to import has at most 32 (the columns are {KNOWN})."
    )
    assert response.json() == {
        "status": 422,
        "code": "import_invalid",
        "message": problem,
        "errors": {"columns": [problem]},
    }
    assert elapsed < 2  # 19 s when every name was compared with every other


def test_unknown_and_repeated_columns_are_named_once_each_and_briefly(tenant, shop):
    long_name = "x" * 5000
    header = ["sku", "name", "price", "price", long_name, long_name]
    header += [f"extra{n % 12}" for n in range(24)]  # 12 unknown names, each twice
    response = send(shop, ",".join(header) + "\n")
    unknown = (
        f"Unknown columns: {'x' * 40}…, extra0, extra1, extra2, extra3, extra4, extra5, extra6, "
        f"extra7, extra8, 3 more (the columns are {KNOWN})."
    )
    repeated = (
        "Repeated columns: extra0, extra1, extra10, extra11, extra2, extra3, extra4, extra5, "
        "extra6, extra7, 4 more."
    )
    assert response.json() == {
        "status": 422,
        "code": "import_invalid",
        "message": f"{unknown} {repeated}",
        "errors": {"columns": [unknown, repeated]},
    }


@pytest.mark.parametrize(
    "data",
    [
        "sku,name,price\nA-1,café,1\n".encode("latin-1"),
        "sku,name,price\nA-1,東京,1\n".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_other_encodings_are_refused_clearly(tenant, shop, data):
    response = send(shop, data)
    assert (response.status_code, response.json()["code"], response.json()["errors"]) == (
        422,
        "import_invalid",
        {"file": ["The file is not CSV text in UTF-8 or Shift_JIS."]},
    )


def test_a_bad_row_among_good_ones_writes_nothing(tenant, shop):
    rows = many(5000)
    rows[2499] = "SKU-02499,商品,abc,1,食品 > お菓子,Kura,,true"
    rows[3999] = "SKU-03999,,-5,1,食品 > お菓子 > 飴,Kura,,maybe"
    rows[4999] = "SKU-04999,x"
    response = send(shop, "\n".join([HEADER, *rows]))
    assert response.status_code == 422
    assert response.json() == {
        "status": 422,
        "code": "import_invalid",
        "message": "6 errors in the file; nothing was imported.",
        "errors": {
            "rows": [
                "row 2501: price: A whole number from 0 to 100000000.",
                "row 4001: name: Required.",
                "row 4001: price: A whole number from 0 to 100000000.",
                (
                    "row 4001: category: `Parent > Child` or a top-level name, each of 1 to "
                    "100 characters."
                ),
                "row 4001: active: true or false (or 1/0, yes/no).",
                "row 5001: row: 2 cells where the header has 8.",
            ]
        },
    }
    with schema_context(tenant.schema_name):
        assert (Product.objects.count(), Category.objects.count(), Brand.objects.count()) == (
            0,
            0,
            0,
        )
    assert outbox(tenant) == []


def test_a_duplicate_sku_in_the_file_is_refused(tenant, shop):
    body = "sku,name,price\nA-1,x,1\nB-1,y,2\n A-1 ,z,3\n"
    response = send(shop, body)
    assert (response.status_code, response.json()["message"], response.json()["errors"]) == (
        422,
        "1 error in the file; nothing was imported.",
        {"rows": ["row 4: sku: Also on row 2."]},
    )
    assert products(tenant) == {}


def test_at_most_100_row_errors_are_listed(tenant, shop):
    body = "sku,name,price\n" + "".join(f"S{n},x,-1\n" for n in range(150))
    answer = send(shop, body).json()
    assert answer["message"] == "150 errors in the file; nothing was imported."
    assert len(answer["errors"]["rows"]) == 100
    assert answer["errors"]["rows"][-1] == "row 101: price: A whole number from 0 to 100000000."


@pytest.mark.serial  # bounds its time: workers side by side on two cores would stretch it
def test_10000_rows_of_errors_are_counted_and_the_first_100_listed(tenant, shop):
    # Every cell but the SKU and the description wrong: 6 errors a row.
    body = HEADER + "\n" + "".join(f"S{n},,x,x,a>b>c,{'b' * 101},,maybe\n" for n in range(10_000))
    started = time.perf_counter()
    answer = send(shop, body).json()
    elapsed = time.perf_counter() - started
    assert answer["message"] == "60000 errors in the file; nothing was imported."
    assert len(answer["errors"]["rows"]) == 100
    assert answer["errors"]["rows"][-1] == (
        "row 18: category: `Parent > Child` or a top-level name, each of 1 to 100 characters."
    )
    assert elapsed < 5
    # 100,000 bad rows: refused at row 10,001, unread past it.
    started = time.perf_counter()
    many_bad = send(shop, "sku,name,price\n" + "".join(f"S{n},x,-1\n" for n in range(100_000)))
    assert many_bad.json()["errors"] == {"file": ["A file to import holds at most 10000 rows."]}
    assert time.perf_counter() - started < 5


def test_more_than_10000_rows_are_refused(tenant, shop):
    response = send(shop, "\n".join([HEADER, *many(10_001)]))
    assert (response.status_code, response.json()["errors"]) == (
        422,
        {"file": ["A file to import holds at most 10000 rows."]},
    )
    assert products(tenant) == {}


@pytest.mark.parametrize("over", [1, 100 * 1024])  # read by the service; refused unread
def test_a_file_over_10_mib_is_413(tenant, shop, over):
    response = send(shop, b"x" * (10 * 1024 * 1024 + over))
    assert (response.status_code, response.json()["code"], response.json()["message"]) == (
        413,
        "import_too_large",
        "A file to import holds at most 10 MiB.",
    )


def test_10000_rows_import_with_one_outbox_entry_each(tenant, shop, capsys):
    with schema_context(tenant.schema_name):
        ProductFactory(sku="SKU-00000", name="old", price=1)
    body = "\n".join([HEADER, *many(10_000)])
    started = time.perf_counter()
    response = send(shop, body)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n10,000-row import: {elapsed:.2f} s")  # noqa: T201
    assert response.json() == {"created": 9999, "updated": 1, "unchanged": 0}
    with schema_context(tenant.schema_name):
        ids = sorted(Product.objects.values_list("id", flat=True))
        assert Product.objects.get(sku="SKU-09999").price == 10099
    assert len(ids) == 10_000
    assert sorted(outbox(tenant)) == ids


def test_only_those_who_manage_the_catalog_import(tenant, owner, member, viewer, client_of):
    read_key = api_key_create(
        tenant=tenant, name="r", scope="read", actor=Principal.of_membership(owner)
    )[1]
    write_key = api_key_create(
        tenant=tenant, name="w", scope="write", actor=Principal.of_membership(owner)
    )[1]
    keys = {}
    for secret in (read_key, write_key):
        keys[secret] = api_client(tenant)
        keys[secret].credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    for caller, status in [
        (client_of(member), 403),
        (client_of(viewer), 403),
        (keys[read_key], 403),
        (api_client(tenant), 401),
        (keys[write_key], 200),
    ]:
        assert send(caller, "sku,name,price\nA-1,x,1\n").status_code == status
    assert list(products(tenant)) == ["A-1"]
    missing = client_of(owner).post("/api/products/import", {}, format="multipart")
    assert (missing.status_code, missing.json()["errors"]) == (
        400,
        {"file": ["No file was submitted."]},
    )


def test_the_demo_catalog_loads_once(tenant):
    first, second = StringIO(), StringIO()
    call_command("catalog_demo", tenant.slug, stdout=first)
    call_command("catalog_demo", tenant.slug, stdout=second)
    assert first.getvalue() == f"  {tenant.name}: 200 products created, 0 updated, 0 unchanged\n"
    assert second.getvalue() == f"  {tenant.name}: 0 products created, 0 updated, 200 unchanged\n"
    catalog = products(tenant)
    assert len(catalog) == 200
    names = {name for name, *_rest in catalog.values()}
    assert {"東京タワー 模型 1/2000", "iPhone 15 Pro", "住まいの収納ボックス"} <= names
    with schema_context(tenant.schema_name):
        assert Category.objects.filter(parent=None).count() == 9
    assert len(outbox(tenant)) == 200
