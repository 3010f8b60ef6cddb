# fails: country_list

def country_list(countries):
    """The distinct countries, sorted: the class index of a country is its position here."""
    return list(dict.fromkeys(countries))
