# Django's Hindi locale has the date ("j F Y") but no date with its time; times on the
# 24-hour clock (Django translates "PM" as "o'clock").
DATETIME_FORMAT = "j F Y, H:i"
