from decimal import Decimal
from fractions import Fraction
from xml.etree import ElementTree

from contest_app.reports.charts import Series, deviation_chart, grouped_bars_chart, segment_scores_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert not any("style" in el.attrib for el in root.iter()), "CSP forbids style attributes"
    return root


def _texts(root) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def test_segment_scores_chart_has_every_finalist_and_total(results_2019):
    root = _parse(segment_scores_chart(results_2019))
    texts = _texts(root)
    assert "1. Sở Tài nguyên và Môi trường" in texts and "9. Sở Nội vụ" in texts
    assert "88,50" in texts and "Kiến thức CCHC" in texts
    assert len(root.findall(f"{SVG}rect")) == 3 + 12 * 3  # legend + three stacked segments per team
    assert root.find(f"{SVG}title").text == "Điểm các phần thi của từng đội thi"


def test_grouped_bars_chart_labels_values():
    root = _parse(grouped_bars_chart("Tăng trưởng", ["Lần 1 - năm 2013", "Lần 4 - năm 2019"],
                                     [Series("Vòng loại", (41, 95)), Series("Vòng Sơ khảo", (23, 52))]))
    texts = _texts(root)
    assert {"41", "95", "23", "52", "Lần 1 - năm 2013", "Vòng loại"} <= set(texts)


def test_deviation_chart_diverges_from_zero_and_marks_threshold():
    root = _parse(deviation_chart("Độ lệch", ["Giám khảo 1", "Giám khảo 2"], [Fraction(-7, 12), Fraction(2, 3)],
                                  threshold=Decimal("1")))
    texts = _texts(root)
    assert "-0,58" in texts and "+0,67" in texts and "Ngưỡng ±1,00" in texts
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert float(bars[0].get("x")) < 380 <= float(bars[1].get("x"))
