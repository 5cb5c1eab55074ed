"""The plans' names and descriptions in every product language.

`fill_plan_copy` only writes the per-language columns, so it can also run against the live
model registry (tests rebuild the plans with it after a flush).
"""

from django.db import migrations
from django.db.models import F

# language code -> {plan code: (name, description)}
PLAN_COPY = {
    "en": {
        "free": ("Free", "For trying Movie Recap on a few movies."),
        "starter": ("Starter", "For small teams that recap a few films every week."),
        "professional": (
            "Professional",
            "For studios and schools with a steady stream of long videos.",
        ),
        "enterprise": (
            "Enterprise",
            "Unlimited movies, storage and processing, with a contract and support to match.",
        ),
    },
    "es": {
        "free": ("Gratis", "Para probar Movie Recap con unas pocas películas."),
        "starter": ("Inicial", "Para equipos pequeños que resumen algunas películas cada semana."),
        "professional": (
            "Profesional",
            "Para estudios y escuelas con un flujo constante de vídeos largos.",
        ),
        "enterprise": (
            "Empresa",
            "Películas, almacenamiento y procesamiento ilimitados, con contrato y soporte a la medida.",
        ),
    },
    "fr": {
        "free": ("Gratuit", "Pour essayer Movie Recap sur quelques films."),
        "starter": (
            "Essentiel",
            "Pour les petites équipes qui résument quelques films chaque semaine.",
        ),
        "professional": (
            "Professionnel",
            "Pour les studios et les écoles qui traitent régulièrement de longues vidéos.",
        ),
        "enterprise": (
            "Entreprise",
            "Films, stockage et traitement illimités, avec un contrat et un accompagnement adaptés.",
        ),
    },
    "de": {
        "free": ("Kostenlos", "Zum Ausprobieren von Movie Recap mit ein paar Filmen."),
        "starter": ("Starter", "Für kleine Teams, die jede Woche ein paar Filme zusammenfassen."),
        "professional": (
            "Profi",
            "Für Studios und Schulen mit einem stetigen Strom langer Videos.",
        ),
        "enterprise": (
            "Unternehmen",
            "Unbegrenzt Filme, Speicher und Verarbeitung – mit passendem Vertrag und Support.",
        ),
    },
    "pt": {
        "free": ("Grátis", "Para experimentar o Movie Recap com alguns filmes."),
        "starter": ("Inicial", "Para equipes pequenas que resumem alguns filmes por semana."),
        "professional": (
            "Profissional",
            "Para estúdios e escolas com um fluxo constante de vídeos longos.",
        ),
        "enterprise": (
            "Empresarial",
            "Filmes, armazenamento e processamento ilimitados, com contrato e suporte sob medida.",
        ),
    },
    "it": {
        "free": ("Gratuito", "Per provare Movie Recap su qualche film."),
        "starter": ("Base", "Per piccoli team che riassumono qualche film ogni settimana."),
        "professional": (
            "Professionale",
            "Per studi e scuole con un flusso costante di video lunghi.",
        ),
        "enterprise": (
            "Aziendale",
            "Film, archiviazione ed elaborazione illimitati, con contratto e assistenza su misura.",
        ),
    },
    "ja": {
        "free": ("無料", "いくつかの映画で Movie Recap をお試しいただけます。"),
        "starter": ("スターター", "毎週数本の映画を要約する小規模なチーム向け。"),
        "professional": ("プロフェッショナル", "長い動画を継続的に扱うスタジオや学校向け。"),
        "enterprise": (
            "エンタープライズ",
            "映画・ストレージ・処理が無制限。契約とサポートもご要望に合わせて。",
        ),
    },
    "ko": {
        "free": ("무료", "몇 편의 영화로 Movie Recap을 체험해 보세요."),
        "starter": ("스타터", "매주 몇 편의 영화를 요약하는 소규모 팀을 위한 요금제."),
        "professional": ("프로페셔널", "긴 영상을 꾸준히 다루는 스튜디오와 학교를 위한 요금제."),
        "enterprise": (
            "엔터프라이즈",
            "영화, 저장 공간, 처리 시간 무제한. 계약과 지원도 맞춤으로 제공합니다.",
        ),
    },
    "zh-hans": {
        "free": ("免费版", "用几部电影试用 Movie Recap。"),
        "starter": ("入门版", "适合每周为几部电影制作回顾的小团队。"),
        "professional": ("专业版", "适合持续处理长视频的工作室和学校。"),
        "enterprise": ("企业版", "电影、存储和处理不限量，并提供相应的合同与支持。"),
    },
    "hi": {
        "free": ("निःशुल्क", "कुछ फ़िल्मों पर Movie Recap आज़माने के लिए।"),
        "starter": ("स्टार्टर", "उन छोटी टीमों के लिए जो हर हफ़्ते कुछ फ़िल्मों का रीकैप बनाती हैं।"),
        "professional": ("प्रोफ़ेशनल", "लंबे वीडियो के लगातार प्रवाह वाले स्टूडियो और स्कूलों के लिए।"),
        "enterprise": (
            "एंटरप्राइज़",
            "असीमित फ़िल्में, स्टोरेज और प्रोसेसिंग, उपयुक्त अनुबंध और सहायता के साथ।",
        ),
    },
    "ar": {
        "free": ("مجاني", "لتجربة Movie Recap على بضعة أفلام."),
        "starter": ("المبتدئ", "للفرق الصغيرة التي تلخّص بضعة أفلام كل أسبوع."),
        "professional": (
            "الاحترافي",
            "للاستوديوهات والمدارس التي تعمل باستمرار على مقاطع فيديو طويلة.",
        ),
        "enterprise": ("المؤسسات", "أفلام وتخزين ومعالجة بلا حدود، مع عقد ودعم يناسبان احتياجاتك."),
    },
    "ru": {
        "free": ("Бесплатный", "Чтобы попробовать Movie Recap на нескольких фильмах."),
        "starter": (
            "Стартовый",
            "Для небольших команд, которые каждую неделю делают пересказы нескольких фильмов.",
        ),
        "professional": (
            "Профессиональный",
            "Для студий и школ, где длинные видео идут постоянным потоком.",
        ),
        "enterprise": (
            "Корпоративный",
            "Безлимитные фильмы, хранилище и обработка, с договором и поддержкой под ваши задачи.",
        ),
    },
    "he": {
        "free": ("חינם", "כדי לנסות את Movie Recap על כמה סרטים."),
        "starter": ("מתחילים", "לצוותים קטנים שמסכמים כמה סרטים בכל שבוע."),
        "professional": ("מקצועי", "לאולפנים ולבתי ספר עם זרם קבוע של סרטונים ארוכים."),
        "enterprise": ("ארגוני", "סרטים, אחסון ועיבוד ללא הגבלה, עם חוזה ותמיכה בהתאמה אישית."),
    },
    "fa": {
        "free": ("رایگان", "برای امتحان کردن Movie Recap روی چند فیلم."),
        "starter": ("پایه", "برای تیم‌های کوچکی که هر هفته چند فیلم را خلاصه می‌کنند."),
        "professional": (
            "حرفه‌ای",
            "برای استودیوها و مدرسه‌هایی که پیوسته با ویدیوهای بلند کار می‌کنند.",
        ),
        "enterprise": (
            "سازمانی",
            "فیلم، فضای ذخیره‌سازی و پردازش نامحدود، همراه با قرارداد و پشتیبانی متناسب.",
        ),
    },
    "ur": {
        "free": ("مفت", "چند فلموں پر Movie Recap آزمانے کے لیے۔"),
        "starter": ("ابتدائی", "چھوٹی ٹیموں کے لیے جو ہر ہفتے چند فلموں کا خلاصہ بناتی ہیں۔"),
        "professional": (
            "پروفیشنل",
            "اسٹوڈیوز اور اسکولوں کے لیے جن کے پاس لمبی ویڈیوز مسلسل آتی ہیں۔",
        ),
        "enterprise": (
            "انٹرپرائز",
            "لامحدود فلمیں، اسٹوریج اور پروسیسنگ، مناسب معاہدے اور سپورٹ کے ساتھ۔",
        ),
    },
}


def column(field, language):
    return f"{field}_{language.replace('-', '_')}"


def fill_plan_copy(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for plan_code in PLAN_COPY["en"]:
        values = {}
        for language, plans in PLAN_COPY.items():
            name, description = plans[plan_code]
            values[column("name", language)] = name
            values[column("description", language)] = description
        Plan.objects.filter(code=plan_code).update(**values)


def keep_other_plans_readable(apps, schema_editor):
    # Plans added by staff keep their text as the English (fallback) version.
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(name_en__isnull=True).update(
        name_en=F("name"), description_en=F("description")
    )


def english_in_base_columns(apps, schema_editor):
    # The untranslated columns stay meaningful for raw SQL and exports.
    Plan = apps.get_model("billing", "Plan")
    for plan_code, (name, description) in PLAN_COPY["en"].items():
        Plan.objects.filter(code=plan_code).update(name=name, description=description)


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_plan_translations")]

    operations = [
        migrations.RunPython(fill_plan_copy, migrations.RunPython.noop),
        migrations.RunPython(keep_other_plans_readable, migrations.RunPython.noop),
        migrations.RunPython(english_in_base_columns, migrations.RunPython.noop),
    ]
