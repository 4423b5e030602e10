"""Domain lexicon of the matching engine.

Maps the vocabulary of counter-terrorism technical assistance, in English, French,
Spanish, Russian and Arabic, to shared *concept* tokens, so that "AML/CFT",
"money laundering and terrorist financing", "blanchiment de capitaux" and
"отмывание денег" meet in the same place.  Also holds the plain-word names used in
reasons (themes, modalities, languages, UN M49 areas) and small multilingual
stopword lists.

Pattern syntax: words separated by spaces; a word ending in ``*`` matches any token
that starts with it ("passeport*" matches "passeports").  Patterns go through the
same normalisation as texts (lower case, accents folded, Arabic letters unified,
stopwords dropped), so they may be written naturally.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# --------------------------------------------------------------------------- names

THEME_NAMES: dict[str, str] = {
    "conflict-prevention": "conflict prevention",
    "radicalization": "preventing radicalization",
    "victims": "support to victims",
    "rule-of-law": "the rule of law",
    "legal-framework": "the legal framework",
    "financing": "terrorist financing",
    "wmd": "weapons of mass destruction",
    "internet": "terrorist use of the Internet",
    "border-management": "border management",
    "aviation-security": "aviation security",
    "maritime-security": "maritime security",
    "vulnerable-targets": "protecting vulnerable targets",
    "criminal-justice": "criminal justice",
    "human-rights": "human rights",
}

MODALITY_NAMES: dict[str, str] = {
    "assessment": "assessment",
    "legislative-drafting": "legislative drafting",
    "training": "training",
    "workshop": "workshops",
    "expert-advice": "expert advice",
    "equipment": "equipment",
    "funding": "funding",
}

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "ar": "Arabic",
    "zh": "Chinese", "pt": "Portuguese", "de": "German", "fa": "Persian", "tr": "Turkish",
    "uz": "Uzbek", "kk": "Kazakh", "tg": "Tajik", "ky": "Kyrgyz", "ur": "Urdu",
    "id": "Indonesian", "ms": "Malay", "sw": "Swahili", "ha": "Hausa", "so": "Somali",
    "it": "Italian", "hi": "Hindi", "bn": "Bengali", "ps": "Pashto", "am": "Amharic",
}

# UN M49 areas: code -> (name, level).  Level 1 = World, 2 = region, 3 = sub-region,
# 4 = intermediate region.  The most specific shared area is named in reasons.
M49_AREAS: dict[str, tuple[str, int]] = {
    "001": ("the World", 1),
    "002": ("Africa", 2), "019": ("the Americas", 2), "142": ("Asia", 2),
    "150": ("Europe", 2), "009": ("Oceania", 2),
    "015": ("Northern Africa", 3), "202": ("Sub-Saharan Africa", 3),
    "419": ("Latin America and the Caribbean", 3), "021": ("Northern America", 3),
    "143": ("Central Asia", 3), "030": ("Eastern Asia", 3), "035": ("South-eastern Asia", 3),
    "034": ("Southern Asia", 3), "145": ("Western Asia", 3),
    "151": ("Eastern Europe", 3), "154": ("Northern Europe", 3), "039": ("Southern Europe", 3),
    "155": ("Western Europe", 3), "053": ("Australia and New Zealand", 3),
    "054": ("Melanesia", 3), "057": ("Micronesia", 3), "061": ("Polynesia", 3),
    "014": ("Eastern Africa", 4), "017": ("Middle Africa", 4), "018": ("Southern Africa", 4),
    "011": ("Western Africa", 4), "029": ("the Caribbean", 4), "013": ("Central America", 4),
    "005": ("South America", 4),
}

# --------------------------------------------------------------------------- stopwords

STOPWORDS: frozenset[str] = frozenset("""
a an the of and or to in on for with by from at as is are be been this that these those
it its into over under our their we they he she his her which who whom will would shall
should can could may might must not no also other such all any each per via within among
between about upon than then there here so if but both more most including include includes
fr: le la les l d de des du un une et ou au aux a en dans pour par sur avec que qui se ce
ces cette son sa ses leur leurs nos notre est sont etre ainsi afin entre vers chez
es: el los las lo y o del al para por con sin sobre en un una unos unas que se su sus es
son ser como entre hacia nuestro nuestra
ru: и в во на по для с со к ко о об от из за что как а не но или же то это его ее их
при до после между также
ar: في من على الي عن مع او ان هذا هذه ذلك التي الذي الذين و ب ل لل ما كما بين الى
""".replace("fr:", "").replace("es:", "").replace("ru:", "").replace("ar:", "").split())

# Words that every request and offer of this exchange uses: they carry no signal.
GENERIC_WORDS: frozenset[str] = frozenset("""
terrorism terrorist terrorists counter counterterrorism countering combat combating combatting
assistance technical support request requested requests offer offers provide provides providing
help national country countries government governments authority authorities state states
strengthen strengthening capacity capacities build building need needs member programme program
project projects activity activities relevant related area areas improve improving enhance
measures measure implementation implement implementing un united nations international
fr: terrorisme terroriste terroristes lutte contre assistance technique soutien appui demande
demandons besoin besoins pays gouvernement autorites autorite renforcer renforcement capacite
capacites programme projet nationale national nationales nationaux mise oeuvre nations unies
internationale international amelioration ameliorer aide
es: terrorismo terrorista terroristas lucha contra asistencia tecnica apoyo solicitud solicita
solicitamos necesidad necesidades pais paises gobierno autoridades fortalecer fortalecimiento
capacidad capacidades programa proyecto nacional nacionales naciones unidas internacional ayuda
mejorar
ru: терроризм терроризма терроризмом терроризму террористическ террористических
террористической террористов противодействие противодействия борьба борьбы помощь помощи
техническ технической содействие содействия просим просьба страна страны государство
государства правительство органы органов укрепление укрепления потенциал потенциала
программа проект национальн национального национальных оон международн
ar: الارهاب ارهاب مكافحه المساعده مساعده تقنيه الدعم دعم طلب نطلب البلد الدوله الحكومه
السلطات تعزيز القدرات قدرات برنامج مشروع الوطنيه وطني الامم المتحده الدولي دولي
""".replace("fr:", "").replace("es:", "").replace("ru:", "").replace("ar:", "").split())


# --------------------------------------------------------------------------- concepts

@dataclass(frozen=True)
class Concept:
    """A domain concept: plain-English label, the theme it belongs to (None for
    modality/generic concepts) and its surface patterns per language."""

    id: str
    label: str
    theme: str | None
    patterns: tuple[str, ...] = field(default=())
    kind: str = "topic"  # topic | modality


def _c(id: str, label: str, theme: str | None, *groups: str, kind: str = "topic") -> Concept:
    pats: list[str] = []
    for g in groups:
        pats.extend(p.strip() for p in g.split("|") if p.strip())
    return Concept(id, label, theme, tuple(pats), kind)


CONCEPTS: tuple[Concept, ...] = (
    # ---------------------------------------------------------------- financing
    _c("terrorist-financing", "terrorist financing", "financing",
       "terrorist financing|financing terror*|terror* financ*|cft|counter financing terror*"
       "|suppression financing terror*|funding terror*|terrorist fund*|fatf special recommendation*",
       "financement* terror*|lbc ft|lbc cft|lcb ft|lcb/ft",
       "financiacion* terror*|financiamiento* terror*|ala cft|cft",
       "финансирован* терроризм*|финансирован* террорист*|под фт",
       "تمويل* ارهاب*|تمويل* الارهاب|مكافحه تمويل*"),
    _c("money-laundering", "money laundering", "financing",
       "money launder*|laundering|laundered|aml|anti money laundering|lbc ft|ala cft|proceeds crime",
       "blanchiment* capitaux|blanchiment* argent|blanchiment*|blanchi*|lbc|lcb|produit* crime",
       "lavado* activo*|lavado* dinero|blanqueo* capital*|blanqueo*|ala|antilavado",
       "отмыван*|легализац* доход*|под фт",
       "غسل* اموال|غسيل* اموال|غسل* الاموال|غسل*"),
    _c("fiu", "financial intelligence", "financing",
       "financial intelligence*|fiu|fius|suspicious transaction*|str reporting|suspicious activit*",
       "cellule* renseignement* financ*|renseignement* financ*|declaration* soupcon*|operation* suspect*|ctrf|tracfin",
       "unidad* inteligencia financ*|inteligencia financ*|uif|operacion* sospechos*|reporte* sospech*",
       "финансов* разведк*|подразделени* финансов* разведк*|подозрительн* операц*|пфр",
       "وحد* تحريات* مالي*|استخبارات* مالي*|معاملات* مشبوه*|عمليات* مشبوه*"),
    _c("asset-freezing", "freezing of assets", "financing",
       "asset* freez*|freez* asset*|targeted sanction*|sanction* list*|freez* fund*|confiscat*|seiz* asset*|asset recovery|targeted financial sanction*",
       "gel* avoir*|gel* fonds|geler* avoir*|saisie* avoir*|sanction* financ* cibl*",
       "congelacion* activo*|congelar* activo*|congelacion* fondo*|decomiso*|incautacion* bien*",
       "заморозк* актив*|замораживан* актив*|заморажив* средств*|конфискац*",
       "تجميد* اصول|تجميد* الاموال|تجميد*|مصادره*"),
    _c("npo", "non-profit organizations", "financing",
       "non profit organi*|nonprofit*|npo|npos|charit*",
       "organisme* but non lucratif|organisation* but non lucratif|associations caritativ*|obnl|osbl",
       "organizacion* sin fines lucro|organizacion* sin animo lucro|osfl|entidad* sin animo lucro",
       "некоммерческ* организац*|нко|благотворительн*",
       "منظمات* غير ربحي*|جمعيات* خيري*|منظمات* غير هادف* ربح"),
    _c("value-transfer", "value transfer systems", "financing",
       "hawala|alternative remittance*|value transfer*|money service business*|remittance*|money transfer*|mobile money",
       "hawala|transfert* fonds|systeme* transfert* valeur*|envoi* fonds",
       "hawala|transferencia* valor*|remesa*|envio* dinero",
       "хавал*|денежн* перевод*|систем* перевод* денег|альтернативн* перевод*",
       "حواله*|تحويل* اموال|تحويلات* مالي*"),
    _c("cash-couriers", "cash couriers", "financing",
       "cash courier*|bulk cash|cross border cash|bearer negotiable instrument*|cash smuggling|declaration cash",
       "passeur* fonds|transport* transfrontal* especes|especes",
       "correo* efectivo|transporte* transfronteriz* efectivo|efectivo",
       "курьер* налич*|перемещен* налич*|наличн*",
       "ناقل* نقد*|نقل* الاموال النقدي*|نقد*"),
    _c("aml-standards", "FATF standards and mutual evaluations", "financing",
       "fatf|financial action task force|mutual evaluation*|forty recommendations|risk assessment money|national risk assessment|egmont",
       "gafi|evaluation* mutuelle*|recommandations gafi",
       "gafi|gafilat|evaluacion* mutua*|recomendaciones gafi",
       "фатф|гафи|взаимн* оценк*|еаг",
       "فاتف|مجموعه العمل مالي|تقييم* متبادل*"),
    _c("financial-sector", "banking and financial supervision", "financing",
       "bank*|financial institution*|financial sector|financial supervis*|customer due diligence|know your customer|kyc",
       "banque*|bancaire*|institution* financ*|secteur financ*|vigilance clientele",
       "banco*|bancari*|entidad* financ*|sector financ*|debida diligencia",
       "банк*|финансов* учрежден*|финансов* сектор*|надлежащ* проверк* клиент*",
       "بنك*|بنوك|مصارف|مصرف*|مؤسسات* مالي*|قطاع* مالي*"),
    # ---------------------------------------------------------------- border management
    _c("document-fraud", "document fraud", "border-management",
       "document* fraud*|fraudulent document*|forged document*|forged passport*|forger*|fake passport*|false passport*"
       "|fake document*|false document*|counterfeit document*|counterfeit passport*|falsified document*"
       "|document examination|document security|document integrity|impostor*|look alike*",
       "faux passeport*|faux document*|fausse* document*|document* frauduleu*|fraude* documentaire*"
       "|falsif*|contrefa*|documents faux|passeport* faux|passeport* falsifi*|usurpation* identite",
       "pasaporte* falso*|documento* falso*|falsificacion*|falsificad*|fraude* documental*|fraude documento*|suplantacion* identidad",
       "поддельн* паспорт*|поддельн* документ*|подделк*|подложн* документ*|фальшив* паспорт*|фальшив* документ*|фальсифиц*",
       "جوازات* مزور*|جواز* مزور*|وثائق* مزور*|مستندات* مزور*|تزوير*|مزور*"),
    _c("travel-documents", "travel documents", "border-management",
       "travel document*|passport*|identity document*|id card*|visa*",
       "document* voyage|passeport*|piece* identite|carte* identite|visa*",
       "documento* viaje|pasaporte*|documento* identidad|visado*|visa*",
       "проездн* документ*|паспорт*|удостоверени* личност*|виза|визы|визов*",
       "وثائق* سفر|وثيق* سفر|جواز* سفر|جوازات*|بطاق* هوي*|تاشير*"),
    _c("mrtd", "machine-readable travel documents", "border-management",
       "mrtd|mrtds|machine readable travel document*|machine readable passport*|machine readable|mrp|epassport*|e passport*"
       "|biometric passport*|icao 9303|doc 9303|9303|public key directory|pkd",
       "dvlm|document* voyage lisible* machine|lisible* machine|passeport* biometri*|passeport* electroni*",
       "documento* viaje lectura mecanica|lectura mecanica|pasaporte* biometric*|pasaporte* electronic*",
       "машиносчитываем*|машиночитаем*|биометрическ* паспорт*|электронн* паспорт*",
       "مقروء* اليا|مقروءه اليا|وثائق* سفر مقروء*|جواز* سفر بيومتري*|بيومتري*"),
    _c("border-control", "border control", "border-management",
       "border control*|border management|border|borders|border officer*|border security|border guard*|border police|border crossing*|border post*"
       "|border agenc*|frontier*|immigration officer*|immigration control*|integrated border|open borders|green border*",
       "garde* frontiere*|frontiere*|controle* frontal*|police* frontiere*|poste* frontiere*|gestion* frontiere*|passage* frontiere*",
       "guardia* fronter*|frontera*|control* fronteriz*|policia* fronteriz*|paso* fronteriz*|gestion* fronter*",
       "пограничн*|погранич*|границ*|пограничник*|пункт* пропуск*",
       "حدود*|حرس* حدود|حرس* الحدود|الحدودي*|حدودي*|منافذ*|معابر*"),
    _c("passenger-data", "advance passenger information", "border-management",
       "advance passenger information|api pnr|passenger name record*|pnr|passenger data|watchlist*|watch list*|screening travellers|traveller screening",
       "information* prealable* voyageur*|donnees passager*|dossier* passager*|liste* surveillance",
       "informacion anticipada pasajero*|datos pasajero*|registro* pasajero*|lista* vigilancia",
       "предварительн* информац* пассажир*|данн* пассажир*|список* наблюден*",
       "معلومات* مسبق* ركاب|بيانات* ركاب|قوائم* مراقب*"),
    _c("interpol-databases", "INTERPOL databases and alerts", "border-management",
       "interpol|i 24 7|sltd|stolen lost travel document*|red notice*|diffusion notice*|alert system*|early warning",
       "interpol|notice* rouge*|systeme* alerte*|alerte* precoce*",
       "interpol|notificacion* roja*|sistema* alerta*|alerta temprana",
       "интерпол*|красн* уведомлен*|раннее предупрежден*",
       "انتربول|الانتربول|نشر* حمراء|انذار* مبكر*"),
    _c("terrorist-mobility", "terrorist mobility and foreign fighters", "border-management",
       "terrorist mobility|foreign terrorist fighter*|foreign fighter*|ftf|ftfs|returnee*|terrorist travel",
       "combattant* terroriste* etranger*|combattant* etranger*|mobilite* terroriste*|rapatri*|revenant*",
       "combatiente* terrorista* extranjero*|combatiente* extranjero*|retornado*",
       "иностранн* боевик*|иностранн* террористическ* боевик*|боевик*|вернувш*",
       "مقاتل* ارهابي* اجانب|مقاتل* اجانب|مقاتلين اجانب|عائد*"),
    _c("customs", "customs and movement of goods", "border-management",
       "customs|container*|cargo|movement goods|trade control*|risk profiling",
       "douane*|douanier*|conteneur*|marchandise*|fret",
       "aduana*|aduaner*|contenedor*|mercancia*|carga",
       "тамож*|контейнер*|груз|грузов*|грузы|товар*",
       "جمارك|الجمارك|جمركي*|حاويات*|بضائع|شحن*"),
    _c("small-arms", "small arms and explosives", "border-management",
       "small arm*|light weapon*|salw|firearm*|ammunition|explosive*|ied|ieds|improvised explosive*|arms trafficking|weapons trafficking",
       "arme* legere*|petit* calibre*|arme* feu|munition*|explosif*|engin* explosif*|trafic* arme*",
       "arma* pequen*|arma* ligera*|arma* fuego|municion*|explosivo*|artefacto* explosivo*|trafico* arma*",
       "стрелков* оружи*|легк* вооружен*|огнестрельн*|боеприпас*|взрывчат*|взрывн* устройств*|оборот* оружи*",
       "اسلح* صغير*|اسلح* خفيف*|اسلح* ناري*|ذخير*|متفجر*|عبوات* ناسف*|اتجار* اسلح*"),
    # ---------------------------------------------------------------- aviation / maritime
    _c("aviation-security", "aviation security", "aviation-security",
       "aviation security|aviation|airport*|airline*|aircraft|civil aviation|air cargo|air transport|hold baggage|baggage screen*|passenger screen*|usap|icao audit*|avsec",
       "surete aviation|aviation|aeroport*|aerien*|aeronef*|bagage*|inspection filtrage",
       "seguridad aviacion|aviacion|aeropuerto*|aere*|aeronave*|equipaje*|inspeccion pasajero*",
       "авиац*|аэропорт*|воздушн* судн*|багаж*|авиационн* безопасност*",
       "طيران*|مطار*|مطارات|امن* طيران*|امتعه|طائرات*"),
    _c("maritime-security", "maritime security", "maritime-security",
       "maritime security|maritime|port facilit*|port security|ports|seaport*|ship*|vessel*|isps|solas|piracy|coast guard*|sea lane*",
       "surete maritime|maritime*|installation* portuaire*|port|ports|portuaire*|navire*|piraterie|garde* cote*",
       "seguridad maritim*|maritim*|instalacion* portuaria*|puerto*|buque*|pirateria|guardacosta*",
       "морск*|порт|порты|порта|портах|портов*|судн*|пиратств*|берегов* охран*",
       "امن* بحري*|بحري*|موانئ|ميناء|سفن|قرصن*|خفر* سواحل"),
    # ---------------------------------------------------------------- WMD
    _c("nuclear-security", "nuclear and radiological security", "wmd",
       "nuclear*|radiological*|radioactive*|radiation detect*|radiation portal*|dirty bomb*|physical protection|cppnm|icsant|iaea",
       "nucleaire*|radiologi*|radioacti*|detection* rayonnement*|protection physique|aiea",
       "nuclear*|radiologic*|radiactiv*|deteccion* radiacion*|proteccion fisica|oiea",
       "ядерн*|радиологическ*|радиоактивн*|радиационн*|физическ* защит*|магатэ",
       "نووي*|اشعاعي*|مشع*|كشف* اشعاع*|حمايه ماديه|الوكاله الدوليه طاقه ذريه"),
    _c("chemical-biological", "chemical and biological weapons", "wmd",
       "chemical weapon*|chemical*|biological weapon*|biological*|bioterror*|pathogen*|toxic*|opcw|bwc|cwc|cbrn|cbrne",
       "arme* chimique*|chimique*|arme* biologique*|biologique*|bioterror*|agent* pathogene*|nrbc|opiac",
       "arma* quimica*|quimic*|arma* biologica*|biologic*|bioterror*|patogen*|qbrn|opaq",
       "химическ* оружи*|химическ*|биологическ* оружи*|биологическ*|биотеррор*|хбря|опхо",
       "اسلح* كيميائي*|كيميائي*|اسلح* بيولوجي*|بيولوجي*|ارهاب* بيولوجي*"),
    _c("wmd-nonproliferation", "non-proliferation and export controls", "wmd",
       "weapons mass destruction|wmd|1540|non proliferation|nonproliferation|proliferation|export control*|strategic trade|dual use",
       "arme* destruction massive|adm|1540|non proliferation|proliferation|controle* export*|double usage",
       "arma* destruccion masiva|adm|1540|no proliferacion|proliferacion|control* export*|doble uso",
       "оружи* массов* уничтожен*|омп|1540|нераспространен*|распространен*|экспортн* контрол*|двойн* назначен*",
       "اسلح* دمار شامل|1540|عدم انتشار|انتشار|رقاب* صادرات|استخدام* مزدوج*"),
    _c("emergency-response", "emergency preparedness and response", "wmd",
       "emergency response|emergency preparedness|incident response|first responder*|crisis management|contingency plan*|consequence management",
       "reponse* urgence*|preparation* urgence*|premier* intervenant*|gestion* crise*|plan* urgence",
       "respuesta* emergencia*|preparacion* emergencia*|primer* interviniente*|gestion* crisis",
       "реагирован* чрезвычайн*|чрезвычайн* ситуац*|кризисн* управлен*|ликвидац* последстви*",
       "استجاب* طوارئ|طوارئ|اداره* ازمات|مستجيب* اوائل"),
    # ---------------------------------------------------------------- internet
    _c("internet-use", "terrorist use of the Internet", "internet",
       "internet|online|web|website*|cyber*|cyberspace|digital|ict|icts",
       "internet|en ligne|web|site* web|cyber*|numerique*|cyberespace",
       "internet|en linea|web|sitio* web|ciber*|digital*",
       "интернет*|онлайн|сетев*|киберпространств*|кибер*|цифров*",
       "انترنت|الانترنت|اونلاين|مواقع* الكتروني*|سيبراني*|فضاء* الكتروني*|رقمي*"),
    _c("online-propaganda", "online propaganda and recruitment", "internet",
       "propaganda|recruitment|recruiting|social media|terrorist content|content removal|counter narrative*|counter messaging|extremist content",
       "propagande|recrutement*|reseau* sociaux|contenu* terroriste*|contre discours|contre recit*",
       "propaganda|reclutamiento*|redes sociales|contenido* terrorista*|contranarrativa*|contra narrativa*",
       "пропаганд*|вербовк*|вербовщик*|социальн* сет*|террористическ* контент*|контрпропаганд*",
       "دعاي*|تجنيد*|وسائل* تواصل* اجتماعي*|محتوي* ارهابي*|خطاب* مضاد*|سرديات* مضاد*"),
    _c("digital-evidence", "digital evidence and cybercrime", "internet",
       "digital evidence|electronic evidence|e evidence|cybercrime|computer crime|digital forensic*|data retention|service provider*",
       "preuve* numerique*|preuve* electronique*|cybercriminalite|criminalite informatique|criminalistique numerique",
       "prueba* digital*|prueba* electronica*|ciberdelito*|ciberdelincuencia|informatica forense|forense digital",
       "цифров* доказательств*|электронн* доказательств*|киберпреступн*|компьютерн* преступ*",
       "ادل* رقمي*|ادل* الكتروني*|جرائم* الكتروني*|جرائم* سيبراني*"),
    # ---------------------------------------------------------------- radicalization
    _c("violent-extremism", "violent extremism and radicalization", "radicalization",
       "violent extremis*|extremis*|radicali*|deradicali*|preventing violent extremism|pve|cve",
       "extremisme* violent*|extremis*|radicalis*|deradicalis*",
       "extremismo* violento*|extremis*|radicaliz*|desradicaliz*",
       "насильственн* экстремизм*|экстремизм*|экстремист*|радикализац*|дерадикализац*",
       "تطرف* عنيف*|تطرف*|متطرف*|تطرف|راديكالي*|اجتثاث* تطرف*"),
    _c("rehabilitation", "rehabilitation and reintegration", "radicalization",
       "rehabilitat*|reintegrat*|disengagement|prison*|detainee*|inmates|correctional|prison radicali*",
       "rehabilitation*|reinsertion*|reintegration*|prison*|detenu*|penitentiaire*|desengagement",
       "rehabilitacion*|reinsercion*|reintegracion*|prision*|carcel*|penitenciari*|recluso*|desvinculacion",
       "реабилитац*|реинтеграц*|тюрьм*|тюремн*|заключенн*|пенитенциарн*",
       "تاهيل*|اعاده دمج|ادماج*|سجون|سجن*|سجناء|نزلاء|اصلاحي*"),
    _c("community-engagement", "community engagement, youth and education", "radicalization",
       "communit*|youth|young people|education|school*|religious leader*|civil society|women|interfaith|dialogue cultures|tolerance",
       "communaute*|communautaire*|jeune*|jeunesse|education|ecole*|leader* religieu*|societe civile|femme*|tolerance",
       "comunidad*|comunitari*|jovenes|juventud|educacion|escuela*|lider* religios*|sociedad civil|mujer*|tolerancia",
       "общин*|молодеж*|образован*|школ*|религиозн* лидер*|гражданск* обществ*|женщин*|толерантност*",
       "مجتمع* محلي*|مجتمعات|شباب|تعليم|مدارس|قاد* ديني*|مجتمع* مدني*|نساء|تسامح"),
    # ---------------------------------------------------------------- victims
    _c("victims", "victims of terrorism", "victims",
       "victim*|survivor*|psychosocial|compensation victims|victim support|trauma|bereaved",
       "victime*|survivant*|psychosocia*|indemnisation*|traumatism*",
       "victima*|sobreviviente*|superviviente*|psicosocial*|indemnizacion*|trauma*",
       "жертв*|пострадавш*|потерпевш*|психосоциальн*|компенсац*|травм*",
       "ضحايا|ضحي*|ناجين|ناجي*|نفسي* اجتماعي*|تعويض*|صدم*"),
    # ---------------------------------------------------------------- legal framework
    _c("legislation", "counter-terrorism legislation", "legal-framework",
       "legislation|legislative|law*|act|bill|draft law*|criminali*|offence*|penal code|criminal code|legal framework|legal regime",
       "legislation*|legislati*|loi*|projet* loi|incrimin*|infraction*|code penal|cadre juridique|regime juridique",
       "legislacion*|legislativ*|ley*|proyecto* ley|tipifica*|delito*|codigo penal|marco juridico|marco legal|regimen juridico",
       "законодательств*|закон*|законопроект*|криминализац*|преступлен*|уголовн* кодекс*|правов* баз*|нормативн*",
       "تشريع*|قانون*|قوانين|مشروع* قانون|تجريم*|جرائم|قانون* عقوبات|اطار* قانوني*"),
    _c("conventions", "international conventions and ratification", "legal-framework",
       "convention*|protocol*|instrument*|ratif*|accession|universal instruments|treaty|treaties|security council resolution*|1373|1267|1624",
       "convention*|protocole*|instrument* universel*|ratif*|adhesion|traite*|resolution* conseil securite",
       "convencion*|convenio*|protocolo*|instrumento* universal*|ratific*|adhesion|tratado*|resolucion* consejo seguridad",
       "конвенц*|протокол*|универсальн* документ*|ратификац*|присоединен*|договор*|резолюц*",
       "اتفاقي*|بروتوكول*|صكوك* دولي*|تصديق*|انضمام|معاهد*|قرار* مجلس امن"),
    # ---------------------------------------------------------------- criminal justice / rule of law
    _c("prosecution", "prosecution and the courts", "criminal-justice",
       "prosecut*|prosecution*|judge*|judiciary|judicial|court*|trial*|magistrate*|adjudicat*|case management",
       "procureur*|poursuite*|juge*|judiciaire*|tribunal*|tribunaux|magistrat*|proces",
       "fiscal*|fiscalia*|enjuiciamiento*|juez*|jueces|judicial*|tribunal*|magistrad*|juicio*",
       "прокурор*|прокуратур*|уголовн* преследован*|суд*|судья|судей|судебн*",
       "نياب*|مدعي* عام*|ملاحق* قضائي*|قضا*|قاض*|محاكم*|محكم*"),
    _c("investigation", "criminal investigation and policing", "criminal-justice",
       "investigat*|police|policing|law enforcement|detective*|special investigative technique*|intelligence led|forensic*|crime scene*|evidence",
       "enquete*|enqueteur*|police*|policier*|force* ordre|technique* speciale* enquete*|police scientifique|scene* crime|preuve*",
       "investigacion*|investigador*|policia*|policial*|fuerza* orden|tecnica* especial* investigacion|forense*|escena* crimen|prueba*",
       "расследован*|следовател*|полиц*|правоохранительн*|оперативн*|криминалист*|доказательств*",
       "تحقيق*|تحقيقات|محقق*|شرط*|انفاذ* قانون|ادل* جنائي*|جنائي*|ادل*"),
    _c("international-cooperation", "international cooperation in criminal matters", "criminal-justice",
       "mutual legal assistance|mla|extradition*|international cooperation|judicial cooperation|central authorit*|letters rogatory|joint investigation*",
       "entraide judiciaire|extradition*|cooperation internationale|cooperation judiciaire|autorite* centrale*|commission* rogatoire*",
       "asistencia judicial reciproca|asistencia juridica mutua|extradicion*|cooperacion internacional|cooperacion judicial|autoridad* central*",
       "взаимн* правов* помощ*|выдач*|экстрадиц*|международн* сотрудничеств*|судебн* сотрудничеств*",
       "مساعد* قانوني* متبادل*|تسليم* مجرمين|تعاون* دولي*|تعاون* قضائي*"),
    _c("rule-of-law", "rule of law and governance", "rule-of-law",
       "rule law|governance|accountability|oversight|anti corruption|corruption|institution building|justice sector|access justice",
       "etat droit|gouvernance|redevabilite|controle democratique|corruption|secteur justice|acces justice",
       "estado derecho|gobernanza|rendicion cuentas|corrupcion|sector justicia|acceso justicia",
       "верховенств* прав*|правов* государств*|управлен*|подотчетност*|коррупц*|сектор* правосуд*",
       "سياد* قانون|حوكم*|مساءل*|فساد|قطاع* عدال*"),
    # ---------------------------------------------------------------- human rights
    _c("human-rights", "human rights", "human-rights",
       "human right*|fundamental freedom*|fair trial|due process|torture|ill treatment|arbitrary detention|non discrimination|gender|ohchr|refugee law|humanitarian law|privacy",
       "droit* homme|droits humains|liberte* fondamental*|proces equitable|torture|detention arbitraire|non discrimination|genre|hcdh",
       "derecho* humano*|libertad* fundamental*|juicio justo|debido proceso|tortura|detencion arbitraria|no discriminacion|genero",
       "прав* человек*|основн* свобод*|справедлив* судебн*|пытк*|произвольн* задержан*|недискриминац*|гендерн*",
       "حقوق* انسان|حقوق الانسان|حريات* اساسي*|محاكم* عادل*|تعذيب|احتجاز* تعسفي*|عدم تمييز|نوع* اجتماعي"),
    # ---------------------------------------------------------------- vulnerable targets
    _c("vulnerable-targets", "protection of vulnerable targets", "vulnerable-targets",
       "vulnerable target*|soft target*|critical infrastructure*|public place*|crowded place*|tourist site*|tourism|hotel*|shopping|places worship|public private partnership*|ppp",
       "cible* vulnerable*|cible* facile*|infrastructure* critique*|infrastructure* essentielle*|lieu* public*|site* touristique*|partenariat* public prive*",
       "objetivo* vulnerable*|blanco* vulnerable*|infraestructura* critica*|lugar* public*|sitio* turistico*|asociacion* publico privada*",
       "уязвим* объект*|критическ* инфраструктур*|общественн* мест*|объект* туризм*|государственн* частн* партнерств*",
       "اهداف* ضعيف*|اهداف* هش*|بني* تحتي* حيوي*|بنيه تحتيه|اماكن* عام*|مواقع* سياحي*|شراك* عام* خاص*"),
    _c("major-events", "security of major events", "vulnerable-targets",
       "major event*|sporting event*|olympic*|world cup|summit*|mass gathering*|large scale event*|mass event*",
       "grand* evenement*|evenement* sporti*|olympi*|sommet*|rassemblement* masse",
       "gran* evento*|evento* deportivo*|olimpic*|cumbre*|concentracion* masiva*",
       "крупн* мероприят*|спортивн* мероприят*|олимпи*|саммит*|массов* мероприят*",
       "فعاليات* كبر*|احداث* كبر*|فعاليات* رياضي*|اولمبي*|قم*|تجمعات* حاشد*"),
    # ---------------------------------------------------------------- conflict prevention
    _c("conflict-prevention", "conflict prevention and mediation", "conflict-prevention",
       "conflict prevention|conflict resolution|armed conflict*|conflict*|mediation|mediator*|peacebuilding|peace building|peacekeeping|peacemaking|envoy*|reconciliation|early warning conflict",
       "prevention* conflit*|conflit*|mediation*|mediateur*|consolidation paix|maintien paix|envoye*|reconciliation",
       "prevencion* conflicto*|conflicto*|mediacion*|mediador*|consolidacion paz|mantenimiento paz|enviado*|reconciliacion",
       "предотвращен* конфликт*|конфликт*|посредничеств*|посредник*|миростроител*|миротворч*|примирен*",
       "منع* نزاع*|نزاع*|صراع*|وساط*|وسيط*|بناء سلام|حفظ سلام|مصالح*"),
    # ---------------------------------------------------------------- modalities (not used for pruning)
    _c("m-training", "training", None,
       "training*|train*|course*|curriculum|trainer*|train trainers|mentor*|exercise*|simulation*|e learning|learning",
       "formation*|formateur*|cours|stage*|exercice*|apprentissage",
       "capacitacion*|formacion*|capacitar|curso*|entrenamiento*|formador*|ejercicio*|aprendizaje",
       "обучен*|подготовк*|тренинг*|курс*|учени*|инструктор*",
       "تدريب*|دورات* تدريبي*|دور* تدريبي*|مدرب*|تمرين*",
       kind="modality"),
    _c("m-workshop", "workshops", None,
       "workshop*|seminar*|conference*|roundtable*|round table*|study visit*|peer exchange*",
       "atelier*|seminaire*|conference*|table* ronde*|visite* etude",
       "taller*|seminario*|conferencia*|mesa* redonda*|visita* estudio",
       "семинар*|практикум*|конференц*|кругл* стол*|учебн* визит*",
       "ورش* عمل|ورش*|ندوات|ندو*|مؤتمر*|حلق* نقاش*",
       kind="modality"),
    _c("m-assessment", "assessment", None,
       "assessment*|assess*|needs assessment|gap analysis|audit*|evaluation*|review*|diagnostic*|mapping",
       "evaluation*|evaluer|diagnostic*|audit*|analyse* lacune*|etat lieux",
       "evaluacion*|evaluar|diagnostico*|auditoria*|analisis brecha*",
       "оценк*|оцен*|аудит*|диагностик*|анализ* пробел*",
       "تقييم*|تقدير* احتياجات|تدقيق*|تشخيص*",
       kind="modality"),
    _c("m-drafting", "legislative drafting", None,
       "drafting|draft*|draft law*|legislative drafting|model law*|legal advice|review draft*",
       "redaction*|rediger|projet* texte*|loi* type*",
       "redaccion*|redactar|anteproyecto*|ley* modelo*",
       "разработк* закон*|подготовк* законопроект*|типов* закон*",
       "صياغ*|صياغه تشريعي*|قانون* نموذجي*",
       kind="modality"),
    _c("m-advice", "expert advice", None,
       "expert*|advisory|advice|advisor*|adviser*|mentoring|consultanc*|technical advice|guidance|handbook*|manual*|guide*",
       "expert*|expertise|conseil*|conseiller*|accompagnement|guide*|manuel*",
       "experto*|asesoria*|asesoramiento|asesor*|orientacion*|guia*|manual*",
       "эксперт*|консультац*|консультант*|советник*|руководств*|пособи*",
       "خبير*|خبراء|خبر*|استشار*|مشور*|دليل*",
       kind="modality"),
    _c("m-equipment", "equipment", None,
       "equipment|equip*|devices|scanner*|detector*|hardware|software|database*|system*|x ray",
       "equipement*|materiel*|scanner*|detecteur*|logiciel*|base* donnee*",
       "equipo*|equipamiento*|escaner*|detector*|programa* informatico*|base* datos",
       "оборудован*|техник*|сканер*|детектор*|программн* обеспечен*|баз* данн*",
       "معدات|اجهز*|ماسح*|كاشف*|برمجي*|قاعد* بيانات",
       kind="modality"),
    _c("m-funding", "funding", None,
       "funding|grant*|financial support|donor*|trust fund|budget*",
       "financement* projet*|subvention*|bailleur*|donateur*|fonds affectation",
       "subvencion*|donante*|fondo* fiduciario*|presupuesto*",
       "грант*|донор*|бюджет*|финансов* поддержк*",
       "منح*|مانح*|ميزاني*|تمويل* مشاريع",
       kind="modality"),
    # ---------------------------------------------------------------- phrases that mean nothing here
    _c("generic", "", None,
       "international community|member state*|united nations|global counter terrorism strategy|counter terrorism",
       "communaute internationale|etat* membre*|nations unies|strategie antiterroriste mondiale|antiterror*",
       "comunidad internacional|estado* miembro*|naciones unidas|estrategia global contra terrorismo|antiterror*",
       "международн* сообществ*|государств* член*|организаци* объединенн* наций|антитеррор*",
       "مجتمع دولي|دول* اعضاء|امم متحده",
       kind="generic"),
)

CONCEPTS_BY_ID: dict[str, Concept] = {c.id: c for c in CONCEPTS}

# --------------------------------------------------------------------------- Chinese

# Chinese terms of the concepts above, written from the standard Chinese terminology of the field
# (UN Chinese documents, FATF/GAFI and ICAO Chinese texts), not from any evaluation text.  Chinese
# has no spaces: a term matches as a substring of a run of Han characters, the longest term first
# ("生物识别护照" is a biometric passport, not "biological").  Han characters no term covers carry no
# lexicon signal (the sentence embedding reads them).
ZH_TERMS: dict[str, str] = {
    "terrorist-financing": "恐怖主义融资|资助恐怖主义|恐怖融资|反恐怖融资|反恐融资|资恐|恐怖分子资金|恐怖主义筹资"
                           "|恐怖组织资金|资助恐怖活动",
    "money-laundering": "洗钱|反洗钱|犯罪所得|犯罪收益|黑钱",
    "fiu": "金融情报|金融情报机构|金融情报中心|可疑交易|可疑交易报告|大额交易报告|反洗钱监测",
    "asset-freezing": "冻结资产|资产冻结|冻结资金|冻结|定向金融制裁|定向制裁|制裁名单|制裁清单|没收|资产追回"
                      "|扣押资产|查封",
    "npo": "非营利组织|非营利|慈善组织|慈善机构|慈善团体|社会组织|公益组织",
    "value-transfer": "哈瓦拉|地下钱庄|汇款|资金转移|价值转移|移动支付|货币服务|跨境汇款|汇兑|替代汇款",
    "cash-couriers": "现金走私|携带现金|现金跨境|跨境现金|现金携带|不记名可转让票据|现金申报|大额现金|现金",
    "aml-standards": "金融行动特别工作组|金融行动工作组|相互评估|互评估|国家风险评估|四十项建议|埃格蒙特|欧亚小组",
    "financial-sector": "银行|金融机构|金融部门|金融监管|客户尽职调查|了解你的客户|金融业|金融体系",
    "document-fraud": "伪造证件|伪造护照|假护照|虚假证件|伪造文件|假证件|证件欺诈|文件欺诈|证件造假|变造|冒用身份"
                      "|冒用他人|冒名顶替|证件鉴别|证件检验|证件真伪|伪造",
    "travel-documents": "旅行证件|护照|身份证件|身份证|签证|出入境证件",
    "mrtd": "机读旅行证件|机读护照|电子护照|生物识别护照|生物特征护照|公钥目录|机读|生物识别",
    "border-control": "边境管控|边境管理|边境|边界|边防|口岸|出入境|边检|移民管理|越境|过境",
    "passenger-data": "预报旅客信息|旅客订座记录|旅客姓名记录|旅客信息|预先旅客信息|旅客数据|乘客信息|乘客数据",
    "interpol-databases": "国际刑警组织|国际刑警|红色通缉令|红色通报|被盗和丢失旅行证件|失窃和遗失旅行证件|通缉",
    "terrorist-mobility": "外国恐怖主义战斗人员|外国恐怖战斗人员|外国战斗人员|恐怖分子流动|恐怖分子跨境流动|回流人员"
                          "|回流|返回者|返回人员",
    "customs": "海关|集装箱|货物|货运|海关监管|货物查验|报关",
    "small-arms": "小武器|轻武器|枪支|弹药|爆炸物|简易爆炸装置|爆炸装置|炸药|武器走私|非法武器",
    "aviation-security": "航空安保|航空安全|民航|机场|航空公司|民用航空|安检|国际民航组织|航空",
    "maritime-security": "海上安全|海事安全|海上安保|港口设施|港口安全|港口|船舶|海事|船舶和港口设施保安|海盗|航运",
    "nuclear-security": "核安保|核安全|核材料|核设施|核恐怖主义|放射性|辐射|辐射探测|放射源|脏弹|国际原子能机构|原子能机构"
                        "|核与辐射",
    "chemical-biological": "化学武器|化学品|化学|生物武器|生物安全|生物恐怖|禁止化学武器组织|禁化武组织|化武|病原体"
                           "|毒剂|有毒化学|生物剂",
    "wmd-nonproliferation": "大规模杀伤性武器|防扩散|不扩散|出口管制|出口管控|两用物项|军民两用|两用|战略贸易管制"
                            "|战略贸易|战略物资|出口许可",
    "emergency-response": "应急响应|应急准备|应急处置|应急管理|突发事件|急救人员|第一响应人|危机管理|应急演练|应急",
    "internet-use": "互联网|网络|在线|网上|网站|网络平台",
    "online-propaganda": "宣传|招募|社交媒体|极端主义内容|恐怖主义内容|网络宣传|煽动|反叙事|叙事",
    "digital-evidence": "电子证据|数字证据|网络犯罪|数字取证|电子取证|取证|服务提供商|跨境数据",
    "violent-extremism": "暴力极端主义|极端主义|激进化|去激进化|极端化|去极端化|极端思想",
    "rehabilitation": "改造|康复|重返社会|回归社会|再融入|重新融入|融入社会|监狱|狱中|服刑|脱离|矫正",
    "community-engagement": "社区|青年|青少年|教育|学校|妇女|宗教领袖|民间社会|公民社会",
    "victims": "受害者|被害人|受害人|幸存者|心理社会|心理支持|心理援助|赔偿|遇难者家属|遇难者|家属",
    "legislation": "立法|法律|法规|法案|刑法|反恐法|条例|法律框架",
    "conventions": "公约|议定书|国际文书|批准|缔约国",
    "prosecution": "起诉|检察官|检察院|检察|公诉|法官|法院|司法机关|审判|司法",
    "investigation": "调查|侦查|警察|警务|执法|公安|刑事调查|情报|侦破",
    "international-cooperation": "司法协助|刑事司法协助|引渡|国际合作|跨境合作|区域合作|执法合作",
    "rule-of-law": "法治|治理|问责|监督|善治|透明度",
    "human-rights": "人权|基本自由|公正审判|正当程序|性别平等",
    "vulnerable-targets": "脆弱目标|软目标|关键基础设施|公共场所|人群密集场所|宗教场所|礼拜场所|旅游景点|酒店",
    "major-events": "大型活动|重大活动|大型体育赛事|体育赛事|奥运会|世界杯|赛事|大型赛事",
    "conflict-prevention": "预防冲突|冲突预防|解决冲突|调解|武装冲突|冲突|对话|和平建设|建设和平|和解",
    "m-training": "培训|训练|课程|教学|培训班|演练",
    "m-workshop": "讲习班|研讨会|工作坊|会议|圆桌会议|座谈会|论坛|考察",
    "m-assessment": "评估|需求评估|差距分析|审查|审计|评价",
    "m-drafting": "起草|草案|法律草案|立法起草",
    "m-advice": "专家|咨询|顾问|建议|指导|手册|指南",
    "m-equipment": "设备|装备|器材|扫描仪|探测器|检测设备|软件|硬件|数据库|系统",
    "m-funding": "资金支持|资助|赠款|捐助|捐助方|预算|信托基金",
    "generic": "反恐怖主义|反恐|国际社会|会员国|联合国|全球反恐战略|恐怖主义|恐怖分子",
}
