"""The demo catalog: about 200 Japanese and English products in two-level categories, the
kind a shop in a tenant sells, loaded through the CSV import (so loading it twice changes
nothing). Names are chosen to exercise search: 東京タワー and 東京都 beside 京都, katakana
and Latin brand names (アイフォン / iPhone), readings (とうきょう), inflected words."""

import csv
import io
import zlib

from apps.accounts.principal import SystemActor
from apps.catalog.imports import ImportResult, products_import
from apps.tenants.models import Tenant

# category path -> (name, brand, price in yen, description)
CATALOG: dict[str, list[tuple[str, str, int, str]]] = {
    "家電 > スマートフォン": [
        ("iPhone 15 Pro", "Apple", 159800, "チタニウムデザインの iPhone。A17 Pro チップ搭載。"),
        ("iPhone 15", "Apple", 124800, "Dynamic Island と 48MP カメラ。"),
        ("iPhone SE (第3世代)", "Apple", 62800, "Touch ID を備えたコンパクトな iPhone。"),
        ("Galaxy S24 Ultra", "Samsung", 189700, "Galaxy AI と S ペン内蔵のフラッグシップ。"),
        ("Galaxy A55 5G", "Samsung", 65800, "防水・防塵のミドルレンジスマホ。"),
        ("Xperia 1 VI", "Sony", 189200, "望遠光学ズームを備えたソニーのスマートフォン。"),
        ("Xperia 10 VI", "Sony", 69300, "軽くて電池長持ちの Xperia。"),
        ("AQUOS sense8", "Sharp", 59800, "大容量バッテリーの国産スマホ。"),
        ("Pixel 8a", "Google", 72600, "Google の AI 機能が使える手頃な Pixel。"),
        ("Pixel 8 Pro", "Google", 159900, "望遠カメラと温度センサー付き。"),
    ],
    "家電 > パソコン": [
        ("ノートパソコン 14インチ", "Lenovo", 98000, "持ち運びやすい 14 型ノートパソコン。"),
        ("ノートパソコン 16インチ ゲーミング", "ASUS", 239800, "RTX 4070 搭載のゲーミングノート。"),
        ("MacBook Air 13インチ M3", "Apple", 164800, "ファンレスで静かな薄型ノート。"),
        ("MacBook Pro 14インチ M3 Pro", "Apple", 328800, "プロの動画編集にも。"),
        ("Let's note SV", "Panasonic", 289300, "頑丈で軽いビジネスモバイル。"),
        ("デスクトップパソコン ミニタワー", "Dell", 119800, "省スペースのデスクトップ。"),
        ("Surface Pro 11", "Microsoft", 207680, "キーボードを付ければノートパソコンに。"),
        ("Chromebook 11.6インチ", "ASUS", 39800, "学習用にも使いやすい Chromebook。"),
    ],
    "家電 > オーディオ": [
        ("AirPods Pro (第2世代)", "Apple", 39800, "アクティブノイズキャンセリング。"),
        ("ワイヤレスイヤホン WF-1000XM5", "Sony", 41800, "業界最高クラスのノイズキャンセリング。"),
        ("ヘッドホン WH-1000XM5", "Sony", 59400, "長時間でも疲れにくいヘッドホン。"),
        ("Bluetooth スピーカー 防水", "JBL", 14800, "お風呂やアウトドアで使える。"),
        ("サウンドバー 2.1ch", "Yamaha", 32800, "テレビの音をくっきり。"),
        ("レコードプレーヤー", "Audio-Technica", 27500, "USB 出力付きのアナログプレーヤー。"),
    ],
    "家電 > キッチン家電": [
        ("電気ケトル 1.0L", "T-fal", 4980, "すぐに沸く、空焚き防止付き。"),
        ("炊飯器 5.5合 IH", "Zojirushi", 39800, "ふっくら炊ける圧力 IH 炊飯器。"),
        ("オーブンレンジ 26L", "Panasonic", 54800, "スチームで焼き物もおいしく。"),
        ("コーヒーメーカー 全自動", "Panasonic", 29800, "豆から挽いて淹れる。"),
        ("ホットサンドメーカー", "Vitantonio", 6980, "朝食にちょうどいい。"),
        ("トースター 4枚焼き", "BALMUDA", 29700, "スチームで外はカリッと中はふんわり。"),
        ("ハンドブレンダー", "Braun", 8980, "スープやスムージーに。"),
    ],
    "家電 > 生活家電": [
        ("ロボット掃除機", "iRobot", 69800, "部屋を自動でお掃除。"),
        ("コードレス掃除機", "Dyson", 79800, "吸引力の変わらないスティック掃除機。"),
        ("ドラム式洗濯乾燥機 12kg", "Panasonic", 298000, "乾燥まで全自動。"),
        ("空気清浄機 加湿付き", "Sharp", 44800, "花粉とウイルス対策に。"),
        ("布団乾燥機", "Iris Ohyama", 12800, "ダニ対策にも。"),
        ("ドライヤー 大風量", "Panasonic", 23800, "髪にやさしいナノイー。"),
        ("扇風機 DC モーター", "BALMUDA", 39600, "自然の風のような心地よさ。"),
    ],
    "家電 > カメラ": [
        ("ミラーレス一眼 アルファ7 IV", "Sony", 328900, "フルサイズのハイブリッド機。"),
        ("ミラーレス一眼 Z fc", "Nikon", 129800, "クラシックなデザインのミラーレス。"),
        ("EOS R8 ボディ", "Canon", 229900, "軽量フルサイズミラーレス。"),
        ("アクションカメラ HERO12", "GoPro", 62800, "手ぶれ補正の効く小型カメラ。"),
        ("インスタントカメラ チェキ", "Fujifilm", 12980, "撮ってすぐプリント。"),
    ],
    "インテリア > 収納": [
        ("住まいの収納ボックス", "Nitori", 1490, "積み重ねできるフタ付き収納ボックス。"),
        ("住まいの収納ボックス ワイド", "Nitori", 1990, "衣類の入れ替えに便利なワイドタイプ。"),
        ("押入れ収納ケース 3段", "Iris Ohyama", 3980, "押入れにぴったりの引き出し。"),
        ("カラーボックス 3段", "Nitori", 2290, "本棚にも収納にも。"),
        ("ファイルボックス 5個組", "Muji", 1990, "書類をすっきり整理。"),
        ("シューズラック 8段", "Iris Ohyama", 3490, "玄関の靴をまとめて収納。"),
        ("ランドリーバスケット", "Muji", 1290, "洗濯物の持ち運びに。"),
    ],
    "インテリア > 家具": [
        ("ソファ 3人掛け", "Nitori", 49900, "ゆったり座れるファブリックソファ。"),
        ("ダイニングテーブル 4人用", "Nitori", 39900, "天然木のダイニングテーブル。"),
        ("オフィスチェア メッシュ", "Okamura", 89800, "長時間座っても疲れにくい。"),
        ("ローテーブル 折りたたみ", "Iris Ohyama", 4980, "使わないときはしまえる。"),
        ("ベッドフレーム シングル", "Muji", 39900, "すのこで通気性のよいベッド。"),
        ("本棚 スリム", "Nitori", 7990, "すき間に置けるスリムな本棚。"),
        ("こたつテーブル 80cm", "Yamazen", 15800, "冬の定番、省エネこたつ。"),
    ],
    "インテリア > 寝具": [
        ("羽毛布団 シングル", "Nishikawa", 29800, "軽くて暖かい羽毛掛け布団。"),
        ("低反発枕", "Tempur", 19800, "首と肩にやさしい枕。"),
        ("敷布団 三つ折り", "Nishikawa", 12800, "押入れにしまいやすい。"),
        ("タオルケット 今治", "Imabari Towel", 6800, "今治産のやわらかなタオルケット。"),
    ],
    "キッチン > 調理器具": [
        ("南部鉄器 鉄瓶 1.2L", "Iwachu", 18700, "岩手の伝統工芸、お湯がまろやかに。"),
        ("フライパン 26cm", "T-fal", 4980, "取っ手がとれるフライパン。"),
        ("三徳包丁 ステンレス", "Kai", 5980, "関の刃物、切れ味長持ち。"),
        ("土鍋 8号", "Banko", 5500, "萬古焼の土鍋で鍋料理を。"),
        ("まな板 ひのき", "Tosaryu", 3300, "ひのきの香りのまな板。"),
        ("卵焼き器 銅", "Nakamura", 8800, "職人手作りの銅製卵焼き器。"),
        ("圧力鍋 4L", "WMF", 24800, "煮込み料理が短時間で。"),
    ],
    "キッチン > 食器": [
        ("有田焼 茶碗 夫婦セット", "Arita", 8800, "佐賀・有田の磁器。"),
        ("波佐見焼 マグカップ", "Hasami", 2200, "ぽってりとした長崎の器。"),
        ("京都 清水焼 湯呑み", "Kiyomizu", 4400, "京都の窯元で作られた湯呑み。"),
        ("江戸切子 ロックグラス", "Edo Kiriko", 16500, "東京都の伝統工芸品。"),
        ("漆塗り 汁椀", "Wajima", 7700, "輪島塗の汁椀。"),
        ("箸 5膳セット", "Wakasa", 2750, "若狭塗の箸。"),
    ],
    "食品 > お菓子": [
        ("京都 八ツ橋 詰め合わせ", "Shogoin", 1080, "京都の定番土産、生八ツ橋。"),
        ("東京ばな奈 8個入", "Grapestone", 1188, "東京都の定番お土産。"),
        ("白い恋人 12枚入", "Ishiya", 1296, "北海道のラング・ド・シャ。"),
        ("ひよ子 饅頭 8個入", "Hiyoko", 1296, "福岡と東京の銘菓。"),
        ("抹茶チョコレート", "Royce", 1080, "京都宇治抹茶を使ったチョコ。"),
        ("カステラ 1号", "Fukusaya", 2376, "長崎の老舗カステラ。"),
        ("せんべい 詰め合わせ", "Kameda", 1620, "草加せんべいの食べ比べ。"),
    ],
    "食品 > 飲料・お茶": [
        ("京都 宇治抹茶 30g", "Ippodo", 2160, "京都宇治の石臼挽き抹茶。"),
        ("静岡 深蒸し茶 100g", "Shizuoka Tea", 1620, "静岡県産の深蒸し煎茶。"),
        ("ほうじ茶 ティーバッグ", "Ito En", 540, "香ばしいほうじ茶。"),
        ("コーヒー豆 ブレンド 500g", "UCC", 1980, "中深煎りのオリジナルブレンド。"),
        ("ミネラルウォーター 2L 6本セット", "Suntory", 980, "南アルプスの天然水。"),
        ("日本酒 純米大吟醸 720ml", "Dassai", 3300, "山口の純米大吟醸。"),
    ],
    "食品 > 調味料": [
        ("醤油 濃口 1L", "Kikkoman", 398, "料理の基本、濃口しょうゆ。"),
        ("白味噌 京都 500g", "Saikyo Miso", 864, "京都の甘い白味噌。"),
        ("かつお節 削り節", "Yamaki", 498, "だしがおいしく取れる。"),
        ("七味唐辛子 京都", "Shichimiya", 756, "清水寺前の七味。"),
        ("柚子胡椒", "Kawashima", 648, "九州の香り高い柚子胡椒。"),
    ],
    "ホビー > 模型": [
        ("東京タワー 模型 1/2000", "Kawada", 3300, "東京都港区のランドマークを精密に再現。"),
        ("東京スカイツリー 模型", "Kawada", 4400, "ナノブロックで作るスカイツリー。"),
        ("京都 金閣寺 模型", "Sankei", 4950, "京都の世界遺産をペーパークラフトで。"),
        ("五重塔 木製模型", "Woody Joe", 19800, "京都 東寺の五重塔。"),
        ("新幹線 N700S 模型", "Tomix", 12100, "東海道新幹線の最新型。"),
        ("戦艦大和 1/700", "Tamiya", 4620, "プラモデルの定番。"),
    ],
    "ホビー > ゲーム": [
        ("Nintendo Switch 有機ELモデル", "Nintendo", 37980, "鮮やかな 7 インチ有機 EL。"),
        ("PlayStation 5", "Sony", 66980, "超高速 SSD の家庭用ゲーム機。"),
        ("ゲームコントローラー", "Hori", 4980, "Switch 対応の有線コントローラー。"),
        ("ボードゲーム カタン", "GP", 4400, "家族で遊べる定番ボードゲーム。"),
        ("将棋盤 駒セット", "Kawada", 5500, "折りたたみ将棋盤と木製駒。"),
    ],
    "ファッション > バッグ": [
        ("リュックサック 25L", "Anello", 5940, "通勤通学に使える口金リュック。"),
        ("トートバッグ 帆布", "Ichizawa", 12100, "京都の職人が作る帆布かばん。"),
        ("ビジネスバッグ 2WAY", "Porter", 37400, "東京の老舗ブランドのブリーフケース。"),
        ("ショルダーバッグ ナイロン", "Porter", 19800, "軽くて丈夫な斜めがけバッグ。"),
    ],
    "ファッション > 衣類": [
        ("ヒートテック 長袖 T シャツ", "Uniqlo", 1500, "暖かいインナー。"),
        ("ダウンジャケット ウルトラライト", "Uniqlo", 5990, "軽くてたためるダウン。"),
        ("浴衣 女性用", "Kyoto Kimono", 12800, "京都で仕立てた綿の浴衣。"),
        ("甚平 男性用", "Kyoto Kimono", 5980, "夏祭りにぴったり。"),
        ("足袋ソックス 3足組", "Muji", 990, "指が動かしやすい。"),
    ],
    "Stationery > Pens": [
        ("Jetstream 4&1 Multi Pen", "Uni", 1100, "Four colours of smooth oil ink and a pencil."),
        ("Kuru Toga Mechanical Pencil", "Uni", 550, "The lead turns as you write."),
        ("Frixion Erasable Pen 0.5", "Pilot", 220, "Write, erase, write again."),
        ("Fountain Pen Custom 74", "Pilot", 11000, "A 14k gold nib for daily writing."),
        ("Brush Pen Fude", "Pentel", 440, "For New Year cards and calligraphy."),
    ],
    "Stationery > Paper": [
        ("Hobonichi Techo A6", "Hobonichi", 2500, "A day per page on Tomoe River paper."),
        ("Campus Notebook B5 5-pack", "Kokuyo", 880, "Dotted ruled lines for neat notes."),
        ("Traveler's Notebook", "Traveler's Company", 5500, "Leather cover, refills to taste."),
        ("Washi Tape Set", "mt", 1320, "Ten colours of Japanese paper tape."),
        ("Origami Paper 500 sheets", "Toyo", 880, "Fifty colours, fifteen centimetres square."),
    ],
    "Outdoor > Camping": [
        ("Snow Peak Titanium Mug 450", "Snow Peak", 4950, "Light and tough, from Niigata."),
        ("Camping Tent for 2", "Coleman", 29800, "Up in ten minutes, rain or shine."),
        ("Folding Camp Chair", "Helinox", 18700, "Packs small, seats well."),
        ("Sleeping Bag -5°C", "Mont-bell", 24200, "Down bag for three seasons."),
        ("LED Lantern", "Goal Zero", 9900, "Rechargeable, USB powered."),
        ("Portable Gas Stove", "Iwatani", 5980, "The cassette stove every home keeps."),
    ],
    "Outdoor > Cycling": [
        ("Electric Bicycle 26 inch", "Panasonic", 149800, "Power assist for Tokyo's hills."),
        ("Bicycle Helmet", "OGK Kabuto", 8800, "Light and ventilated."),
        ("Bike Lock U-shape", "Kryptonite", 7700, "Hardened steel shackle."),
        ("Cycling Gloves", "Pearl Izumi", 3300, "Padded palms for long rides."),
    ],
    "Books > Travel": [
        (
            "Tokyo City Guide",
            "Lonely Planet",
            3850,
            "Neighbourhoods, food and day trips.",
        ),
        (
            "Kyoto Walking Guide",
            "Lonely Planet",
            3520,
            "Temples, gardens and back streets.",
        ),
        ("Japan Rail Pass Handbook", "JTB", 1650, "How to ride the shinkansen on a rail pass."),
        ("Hokkaido Road Trip", "Rough Guides", 2970, "Lakes, hot springs and winter festivals."),
    ],
    "Books > Cooking": [
        ("Japanese Home Cooking", "Shambhala", 4400, "Rice, miso soup and everyday dishes."),
        ("The Ramen Book", "Ten Speed", 3960, "Broths, noodles and toppings from scratch."),
        ("Washoku Basics", "Kodansha", 3080, "The five colours and five tastes of the table."),
    ],
}

# Some products in several sizes or colours: base name -> variants (suffix, price change).
VARIANTS: dict[str, list[tuple[str, int]]] = {
    "iPhone 15 Pro": [("256GB", 15000), ("512GB", 45000), ("1TB", 75000)],
    "iPhone 15": [("256GB", 15000), ("512GB", 45000)],
    "MacBook Air 13インチ M3": [("16GB", 30000), ("24GB", 60000)],
    "Galaxy S24 Ultra": [("512GB", 20000)],
    "Pixel 8a": [("Bay", 0), ("Aloe", 0)],
    "ノートパソコン 14インチ": [("16GB メモリ", 15000), ("32GB メモリ", 35000)],
    "住まいの収納ボックス": [("ホワイト", 0), ("グレー", 0), ("ナチュラル", 100)],
    "カラーボックス 3段": [("ホワイト", 0), ("ブラウン", 0)],
    "ソファ 3人掛け": [("ベージュ", 0), ("グレー", 0), ("ネイビー", 2000)],
    "オフィスチェア メッシュ": [("ブラック", 0), ("ホワイト", 5000)],
    "羽毛布団 シングル": [("セミダブル", 8000), ("ダブル", 15000)],
    "フライパン 26cm": [("20cm", -1000), ("28cm", 500)],
    "三徳包丁 ステンレス": [("ペティナイフ", -2000)],
    "京都 宇治抹茶 30g": [("100g", 4320)],
    "京都 八ツ橋 詰め合わせ": [("16個入", 1080)],
    "東京タワー 模型 1/2000": [("1/1000", 4400)],
    "リュックサック 25L": [("ブラック", 0), ("ネイビー", 0), ("カーキ", 0)],
    "ヒートテック 長袖 T シャツ": [("S", 0), ("L", 0), ("XL", 0)],
    "ダウンジャケット ウルトラライト": [("S", 0), ("L", 0), ("XL", 0)],
    "浴衣 女性用": [("紺", 0), ("白", 0)],
    "Jetstream 4&1 Multi Pen": [("0.38", 0), ("0.7", 0)],
    "Frixion Erasable Pen 0.5": [("Blue", 0), ("Red", 0), ("Black", 0)],
    "Hobonichi Techo A6": [("A5 Cousin", 1500)],
    "Camping Tent for 2": [("for 4", 15000)],
    "Electric Bicycle 26 inch": [("24 inch", -5000)],
    "Bicycle Helmet": [("M", 0), ("L", 0)],
    "Nintendo Switch 有機ELモデル": [("ホワイト", 0), ("ネオンブルー・ネオンレッド", 0)],
    "ワイヤレスイヤホン WF-1000XM5": [("ブラック", 0), ("プラチナシルバー", 0)],
    "住まいの収納ボックス ワイド": [("ホワイト", 0), ("グレー", 0)],
    "有田焼 茶碗 夫婦セット": [("単品", -4400)],
    "Snow Peak Titanium Mug 450": [("300", -900)],
    "Campus Notebook B5 5-pack": [("A4", 220)],
    "Washi Tape Set": [("Pastel", 0)],
}
COLUMNS = ["sku", "name", "price", "stock", "category", "brand", "description", "active"]


def demo_rows() -> list[list[str]]:
    """Every demo product as a CSV row, the same on every call: a product's SKU comes from
    its name, so a later edit of this list does not turn one product into another."""
    rows: list[list[str]] = []
    for category, products in CATALOG.items():
        for name, brand, price, description in products:
            kinds = [(name, price)] + [
                (f"{name} {suffix}", price + change) for suffix, change in VARIANTS.get(name, [])
            ]
            for full_name, full_price in kinds:
                number = len(rows) + 1
                stock = (number * 37) % 150  # some sold out (0), most a few dozen
                active = "false" if number % 41 == 0 else "true"
                rows.append(
                    [
                        f"DEMO-{zlib.crc32(full_name.encode()):08X}",
                        full_name,
                        str(full_price),
                        str(stock),
                        category,
                        brand,
                        description,
                        active,
                    ]
                )
    return rows


def demo_catalog_load(*, tenant: Tenant) -> ImportResult:
    """Load the demo catalog into `tenant` (the caller is in its schema), as the system;
    rows already there are left as they are."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(demo_rows())
    return products_import(
        tenant=tenant,
        actor=SystemActor(tenant=tenant, reason="demo data"),
        file=io.BytesIO(out.getvalue().encode("utf-8")),
    )
