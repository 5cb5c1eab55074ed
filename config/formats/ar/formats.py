# Django's Arabic locale has the date ("j F، Y") but no date with its time.
DATETIME_FORMAT = "j F، Y، g:i A"
