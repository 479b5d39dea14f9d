"""Grafana's unit ids (`fieldConfig.defaults.unit`), to tell a unit from a typo.

From Grafana's value formats (packages/grafana-data/src/valueFormats/categories.ts) and grafana/dashboard-linter's
list (lint/rule_panel_units.go). Grafana also reads `prefix:`, `suffix:`, `si:`, `count:`, `currency:`, `time:`
and `bool:` custom units (valueFormats.ts `getValueFormat`); any other unknown id it prints as a literal suffix
without scaling, so `byte` shows "1048576 byte" where `bytes` shows "1 MiB".
"""

from __future__ import annotations

from dashctl.spelling import closest

__all__ = ["CUSTOM_PREFIXES", "UNIT_IDS", "closest_unit", "is_unit"]

CUSTOM_PREFIXES = ("prefix:", "suffix:", "si:", "count:", "currency:", "time:", "bool:")

UNIT_IDS = frozenset(
    # Misc
    "none string short sishort percent percentunit humidity dB candela hex0x hex sci locale pixel "
    # Acceleration, angle, area
    "accMS2 accFS2 accG degree radian grad arcmin arcsec areaM2 areaF2 areaMI2 "
    # Computation
    "flops mflops gflops tflops pflops eflops zflops yflops "
    # Concentration
    "ppm conppb conngm3 conngNm3 conμgm3 conμgNm3 conmgm3 conmgNm3 congm3 congNm3 conmgdL conmmolL "
    # Currency
    "currencyUSD currencyGBP currencyEUR currencyJPY currencyRUB currencyUAH currencyBRL currencyDKK currencyISK "
    "currencyNOK currencySEK currencyCZK currencyCHF currencyPLN currencyBTC currencymBTC currencyμBTC currencyZAR "
    "currencyINR currencyKRW currencyIDR currencyPHP currencyVND "
    # Data
    "bits bytes kbytes mbytes gbytes tbytes pbytes decbits decbytes deckbytes decmbytes decgbytes dectbytes "
    "decpbytes "
    # Data rate
    "pps bps Bps binbps binBps KBs Kbits KiBs Kibits MBs Mbits MiBs Mibits GBs Gbits GiBs Gibits TBs Tbits TiBs "
    "Tibits PBs Pbits PiBs Pibits "
    # Date and time
    "dateTimeAsIso dateTimeAsIsoNoDateIfToday dateTimeAsUS dateTimeAsUSNoDateIfToday dateTimeAsLocal "
    "dateTimeAsLocalNoDateIfToday dateTimeAsSystem dateTimeFromNow "
    # Energy
    "watt kwatt megwatt gwatt mwatt Wm2 voltamp kvoltamp voltampreact kvoltampreact watth watthperkg kwatth kwattm "
    "amph kamph mamph joule ev amp kamp mamp volt kvolt mvolt dBm ohm kohm Mohm farad µfarad nfarad pfarad ffarad "
    "henry mhenry µhenry lumens "
    # Flow, force, hash rate, mass, length, pressure
    "flowgpm flowcms flowcfs flowcfm litreh flowlpm flowmlpm lux forceNm forcekNm forceN forcekN "
    "Hs KHs MHs GHs THs PHs EHs massmg massg masslb masskg masst lengthmm lengthin lengthft lengthm lengthkm "
    "lengthmi pressurembar pressurebar pressurekbar pressurepa pressurehpa pressurekpa pressurehg pressurepsi "
    # Radiation, rotation, temperature
    "radbq radci radgy radrad radsv radmsv radusv radrem radexpckg radr radsvh radmsvh radusvh "
    "rotrpm rothz rotrads rotdegs celsius fahrenheit kelvin "
    # Time
    "hertz ns µs ms s m h d dtdurationms dtdurations dthms dtdhms timeticks clockms clocks "
    # Throughput
    "cps ops reqps rps wps iops eps mps recps rowsps cpm opm reqpm rpm wpm epm mpm recpm rowspm "
    # Velocity, volume, boolean
    "velocityms velocitykmh velocitymph velocityknot mlitre litre m3 Nm3 dm3 gallons bool bool_yes_no bool_on_off"
    .split()
)


def is_unit(unit: str) -> bool:
    """Whether Grafana knows `unit` as a unit id or a custom unit (`suffix: cores`)."""
    return unit in UNIT_IDS or any(unit.startswith(prefix) and len(unit) > len(prefix) for prefix in CUSTOM_PREFIXES)


def closest_unit(unit: str) -> str | None:
    """The known unit id `unit` is most likely a misspelling of, if any."""
    return closest(unit, UNIT_IDS, cutoff=0.75)
