"""The qualified invoice as an A4 PDF (fpdf2), in the active language, its Japanese set in
IPAex Gothic (Debian's fonts-ipaexfont, scripts/system-packages.sh): a TrueType font whose
subset fpdf2 embeds with a map back to Unicode, so the PDF's text can be copied and read."""

from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from apps.orders.invoices import Invoice
from apps.orders.tax import percent

FONT = "IPAexGothic"
FONT_FILE = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
REDUCED_MARK = "※"


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def invoice_pdf(invoice: Invoice) -> bytes:
    order = invoice.order
    pdf = FPDF(format="A4")
    pdf.set_title(_("Qualified invoice %(number)s") % {"number": order.number})
    pdf.set_creator("Kura")
    pdf.add_font(FONT, fname=FONT_FILE)
    pdf.set_font(FONT, size=10)
    pdf.add_page()

    def line(text: str, *, size: int = 10, align: str = "L") -> None:
        pdf.set_font(FONT, size=size)
        pdf.cell(0, size * 0.6, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(_("Qualified invoice"), size=18, align="C")
    pdf.ln(4)
    line(_("Bill to: %(buyer)s") % {"buyer": invoice.buyer}, size=12)
    pdf.ln(2)
    line(invoice.seller_name, size=11)
    line(_("Registration number: %(number)s") % {"number": invoice.registration_number})
    line(_("Order: %(number)s") % {"number": order.number})
    line(
        _("Date of sale: %(date)s")
        % {"date": formats.date_format(invoice.issued_on, "DATE_FORMAT")}
    )
    pdf.ln(4)
    with pdf.table(
        col_widths=(90, 30, 20, 40),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="NONE", fill_color=(235, 235, 235)),
    ) as table:
        table.row([_("Product"), _("Unit price"), _("Quantity"), _("Amount")])
        for item in invoice.lines:
            mark = f" {REDUCED_MARK}" if item.reduced_rate else ""
            table.row(
                [
                    item.product_name + mark,
                    yen(item.unit_price),
                    f"{item.quantity:,}",
                    yen(item.subtotal),
                ]
            )
    pdf.ln(4)
    line(_("Total (tax included): %(total)s") % {"total": yen(order.total)}, size=12)
    for tax in invoice.tax_lines:
        line(
            _("%(rate)s taxable: %(amount)s (tax %(tax)s)")
            % {"rate": percent(tax.rate), "amount": yen(tax.taxable_amount), "tax": yen(tax.tax)}
        )
    if invoice.has_reduced:
        pdf.ln(2)
        line(_("%(mark)s marks items at the reduced rate.") % {"mark": REDUCED_MARK})
    return bytes(pdf.output())
