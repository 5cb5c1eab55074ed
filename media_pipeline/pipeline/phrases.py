"""Sentence templates for recap texts built from a movie's structure (for movies without
dialogue), one small table per product language, English as the fallback.
"""

from __future__ import annotations

# Placeholders: {length} and {time} are clock times ("1:32:05"), {scenes} and {clips} counts,
# {recap} the recap's length, {n} a chapter number.
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "overview": "A {length} film told in {scenes} scenes.",
        "peak": "The action peaks around {time}.",
        "loud": "The loudest moment comes at {time}.",
        "quiet": "It opens quietly and builds towards its ending.",
        "recap": "This recap keeps {clips} key moments, {recap} in all.",
        "opening": "Opening",
        "climax": "Climax",
        "ending": "Ending",
        "part": "Part {n}",
    },
    "es": {
        "overview": "Una película de {length} contada en {scenes} escenas.",
        "peak": "La acción alcanza su punto álgido hacia {time}.",
        "loud": "El momento más intenso llega en {time}.",
        "quiet": "Comienza con calma y crece hacia su final.",
        "recap": "Este resumen conserva {clips} momentos clave, {recap} en total.",
        "opening": "Comienzo",
        "climax": "Clímax",
        "ending": "Final",
        "part": "Parte {n}",
    },
    "fr": {
        "overview": "Un film de {length} raconté en {scenes} scènes.",
        "peak": "L'action culmine vers {time}.",
        "loud": "Le moment le plus fort arrive à {time}.",
        "quiet": "Il s'ouvre calmement et monte vers sa fin.",
        "recap": "Ce résumé garde {clips} moments clés, {recap} au total.",
        "opening": "Ouverture",
        "climax": "Point culminant",
        "ending": "Dénouement",
        "part": "Partie {n}",
    },
    "de": {
        "overview": "Ein Film von {length}, erzählt in {scenes} Szenen.",
        "peak": "Die Handlung erreicht um {time} ihren Höhepunkt.",
        "loud": "Der lauteste Moment kommt bei {time}.",
        "quiet": "Er beginnt ruhig und steigert sich bis zum Ende.",
        "recap": "Diese Zusammenfassung zeigt {clips} Schlüsselmomente, insgesamt {recap}.",
        "opening": "Anfang",
        "climax": "Höhepunkt",
        "ending": "Schluss",
        "part": "Teil {n}",
    },
    "pt": {
        "overview": "Um filme de {length} contado em {scenes} cenas.",
        "peak": "A ação atinge o auge por volta de {time}.",
        "loud": "O momento mais intenso chega em {time}.",
        "quiet": "Começa com calma e cresce até o final.",
        "recap": "Este resumo mantém {clips} momentos-chave, {recap} no total.",
        "opening": "Abertura",
        "climax": "Clímax",
        "ending": "Final",
        "part": "Parte {n}",
    },
    "it": {
        "overview": "Un film di {length} raccontato in {scenes} scene.",
        "peak": "L'azione raggiunge il culmine intorno a {time}.",
        "loud": "Il momento più intenso arriva a {time}.",
        "quiet": "Inizia con calma e cresce verso il finale.",
        "recap": "Questo riassunto conserva {clips} momenti chiave, {recap} in tutto.",
        "opening": "Inizio",
        "climax": "Culmine",
        "ending": "Finale",
        "part": "Parte {n}",
    },
    "ja": {
        "overview": "{scenes}のシーンで描かれる{length}の作品。",
        "peak": "{time}ごろにアクションが最高潮に達する。",
        "loud": "最も盛り上がる瞬間は{time}。",
        "quiet": "静かに始まり、結末に向けて高まっていく。",
        "recap": "このダイジェストは{clips}の重要な場面、合計{recap}を収録。",
        "opening": "オープニング",
        "climax": "クライマックス",
        "ending": "エンディング",
        "part": "第{n}部",
    },
    "ko": {
        "overview": "{scenes}개의 장면으로 이루어진 {length} 길이의 영화.",
        "peak": "액션은 {time} 무렵 절정에 이른다.",
        "loud": "가장 강렬한 순간은 {time}에 온다.",
        "quiet": "조용히 시작해 결말을 향해 고조된다.",
        "recap": "이 요약은 핵심 장면 {clips}개, 총 {recap}을 담았다.",
        "opening": "오프닝",
        "climax": "클라이맥스",
        "ending": "엔딩",
        "part": "{n}부",
    },
    "zh-hans": {
        "overview": "一部时长{length}、共{scenes}个场景的影片。",
        "peak": "动作在{time}左右达到高潮。",
        "loud": "最激烈的时刻出现在{time}。",
        "quiet": "影片平静开场，逐渐推向结局。",
        "recap": "本摘要保留了{clips}个关键时刻，共{recap}。",
        "opening": "开场",
        "climax": "高潮",
        "ending": "结局",
        "part": "第{n}部分",
    },
    "hi": {
        "overview": "{scenes} दृश्यों में कही गई {length} की फ़िल्म।",
        "peak": "एक्शन लगभग {time} पर चरम पर पहुँचता है।",
        "loud": "सबसे तीव्र क्षण {time} पर आता है।",
        "quiet": "यह शांति से शुरू होकर अंत की ओर बढ़ती है।",
        "recap": "इस सारांश में {clips} मुख्य क्षण हैं, कुल {recap}।",
        "opening": "शुरुआत",
        "climax": "चरमोत्कर्ष",
        "ending": "अंत",
        "part": "भाग {n}",
    },
    "ar": {
        "overview": "فيلم مدته {length} يُروى في {scenes} مشهدًا.",
        "peak": "تبلغ الأحداث ذروتها عند {time} تقريبًا.",
        "loud": "تأتي أقوى لحظة عند {time}.",
        "quiet": "يبدأ بهدوء ثم يتصاعد نحو النهاية.",
        "recap": "يضم هذا الملخص {clips} لحظات رئيسية، بمدة {recap} إجمالًا.",
        "opening": "البداية",
        "climax": "الذروة",
        "ending": "النهاية",
        "part": "الجزء {n}",
    },
    "ru": {
        "overview": "Фильм длительностью {length}, рассказанный в {scenes} сценах.",
        "peak": "Действие достигает пика около {time}.",
        "loud": "Самый громкий момент наступает в {time}.",
        "quiet": "Он начинается спокойно и нарастает к финалу.",
        "recap": "В этом пересказе {clips} ключевых моментов, всего {recap}.",
        "opening": "Начало",
        "climax": "Кульминация",
        "ending": "Финал",
        "part": "Часть {n}",
    },
    "he": {
        "overview": "סרט באורך {length} שמסופר ב-{scenes} סצנות.",
        "peak": "האקשן מגיע לשיאו בסביבות {time}.",
        "loud": "הרגע העוצמתי ביותר מגיע ב-{time}.",
        "quiet": "הוא נפתח בשקט ומתעצם לקראת הסוף.",
        "recap": "התקציר הזה שומר {clips} רגעים מרכזיים, {recap} בסך הכול.",
        "opening": "פתיחה",
        "climax": "שיא",
        "ending": "סיום",
        "part": "חלק {n}",
    },
    "fa": {
        "overview": "فیلمی به مدت {length} که در {scenes} صحنه روایت می‌شود.",
        "peak": "اوج اکشن حدود {time} است.",
        "loud": "پرشورترین لحظه در {time} می‌آید.",
        "quiet": "آرام آغاز می‌شود و به سوی پایان اوج می‌گیرد.",
        "recap": "این خلاصه {clips} لحظهٔ کلیدی را در مجموع {recap} نگه می‌دارد.",
        "opening": "آغاز",
        "climax": "اوج",
        "ending": "پایان",
        "part": "بخش {n}",
    },
    "ur": {
        "overview": "{scenes} مناظر میں بیان کی گئی {length} کی فلم۔",
        "peak": "ایکشن تقریباً {time} پر عروج پر پہنچتا ہے۔",
        "loud": "سب سے شدید لمحہ {time} پر آتا ہے۔",
        "quiet": "یہ خاموشی سے شروع ہو کر انجام کی طرف بڑھتی ہے۔",
        "recap": "اس خلاصے میں {clips} اہم لمحات ہیں، کل {recap}۔",
        "opening": "آغاز",
        "climax": "عروج",
        "ending": "انجام",
        "part": "حصہ {n}",
    },
}
# Scripts written without spaces between sentences.
UNSPACED = frozenset({"ja", "zh-hans"})


def base_language(language: str) -> str:
    """Product language for a code: pt-br -> pt, zh-Hans and zh -> zh-hans, unknown -> en."""
    code = language.strip().lower().replace("_", "-")
    if code in PHRASES:
        return code
    if code.startswith("zh"):
        return "zh-hans"
    return code.split("-", 1)[0] if code.split("-", 1)[0] in PHRASES else "en"


def phrase(language: str, key: str, **values: object) -> str:
    return PHRASES[base_language(language)][key].format(**values)


def join_sentences(language: str, sentences: list[str]) -> str:
    return ("" if base_language(language) in UNSPACED else " ").join(sentences)


def clock(seconds: float) -> str:
    """1:32:05 or 12:07: digits and colons read the same in every product language."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
