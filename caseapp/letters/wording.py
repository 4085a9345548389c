"""Words the context builder puts into letters, in each letter language (templates write the
rest). English where a language lacks a phrase."""
from __future__ import annotations

GDPR = {
    "en": {"source": "the legal notice (imprint) and contact details published on the website {site}, and the use of the images we found there",
           "source_unknown": "publicly available information on the website where the images were used",
           "purpose": "to enforce our client's copyright in the images named in this letter and to settle the claim",
           "legal_basis": "Art. 6(1)(f) GDPR",
           "retention": "until the claim is settled or finally decided, then as long as statutory retention periods (commercial and tax law, up to 10 years) require",
           "rights": "You have the right of access (Art. 15), rectification (Art. 16), erasure (Art. 17), restriction of processing (Art. 18) and data portability (Art. 20), and the right to object to the processing on grounds relating to your particular situation (Art. 21 GDPR)."},
    "de": {"source": "das Impressum und die Kontaktangaben der Website {site} sowie die dort festgestellte Nutzung der Bilder",
           "source_unknown": "öffentlich zugängliche Angaben auf der Website, auf der die Bilder genutzt wurden",
           "purpose": "Durchsetzung der Urheber- und Nutzungsrechte unserer Mandantschaft an den in diesem Schreiben bezeichneten Bildern und Abwicklung des Anspruchs",
           "legal_basis": "Art. 6 Abs. 1 lit. f DSGVO",
           "retention": "bis zur Erledigung oder rechtskräftigen Entscheidung des Anspruchs, danach solange gesetzliche Aufbewahrungsfristen (Handels- und Steuerrecht, bis zu 10 Jahre) es verlangen",
           "rights": "Sie haben das Recht auf Auskunft (Art. 15), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18) und Datenübertragbarkeit (Art. 20) sowie das Recht, aus Gründen, die sich aus Ihrer besonderen Situation ergeben, der Verarbeitung zu widersprechen (Art. 21 DSGVO)."},
    "fr": {"source": "les mentions légales et coordonnées publiées sur le site {site}, ainsi que l'utilisation des images que nous y avons constatée",
           "source_unknown": "des informations publiques figurant sur le site où les images ont été utilisées",
           "purpose": "faire valoir les droits d'auteur de notre mandant sur les images désignées dans ce courrier et régler la réclamation",
           "legal_basis": "article 6, paragraphe 1, point f), du RGPD",
           "retention": "jusqu'au règlement ou à la décision définitive de la réclamation, puis pendant les durées légales de conservation (jusqu'à 10 ans)",
           "rights": "Vous disposez d'un droit d'accès (art. 15), de rectification (art. 16), d'effacement (art. 17), de limitation (art. 18) et de portabilité (art. 20), ainsi que du droit de vous opposer au traitement pour des raisons tenant à votre situation particulière (art. 21 RGPD)."},
    "es": {"source": "el aviso legal y los datos de contacto publicados en el sitio web {site}, así como el uso de las imágenes que allí constatamos",
           "source_unknown": "información pública del sitio web en el que se utilizaron las imágenes",
           "purpose": "hacer valer los derechos de autor de nuestro mandante sobre las imágenes indicadas en esta carta y liquidar la reclamación",
           "legal_basis": "artículo 6, apartado 1, letra f), del RGPD",
           "retention": "hasta la liquidación o resolución firme de la reclamación y, después, durante los plazos legales de conservación (hasta 10 años)",
           "rights": "Tiene derecho de acceso (art. 15), rectificación (art. 16), supresión (art. 17), limitación (art. 18) y portabilidad (art. 20), así como a oponerse al tratamiento por motivos relacionados con su situación particular (art. 21 RGPD)."},
    "it": {"source": "le note legali e i recapiti pubblicati sul sito {site}, nonché l'utilizzo delle immagini ivi accertato",
           "source_unknown": "informazioni pubbliche sul sito web in cui sono state utilizzate le immagini",
           "purpose": "tutelare i diritti d'autore del nostro mandante sulle immagini indicate in questa lettera e definire la pretesa",
           "legal_basis": "art. 6, par. 1, lett. f), GDPR",
           "retention": "fino alla definizione o alla decisione definitiva della pretesa e, successivamente, per i termini legali di conservazione (fino a 10 anni)",
           "rights": "Ha diritto di accesso (art. 15), rettifica (art. 16), cancellazione (art. 17), limitazione (art. 18) e portabilità (art. 20), nonché di opporsi al trattamento per motivi connessi alla sua situazione particolare (art. 21 GDPR)."},
    "nl": {"source": "het colofon en de contactgegevens op de website {site}, en het daar vastgestelde gebruik van de afbeeldingen",
           "source_unknown": "openbare informatie op de website waarop de afbeeldingen zijn gebruikt",
           "purpose": "het handhaven van het auteursrecht van onze opdrachtgever op de in deze brief genoemde afbeeldingen en het afwikkelen van de vordering",
           "legal_basis": "artikel 6, lid 1, onder f, AVG",
           "retention": "totdat de vordering is afgewikkeld of onherroepelijk is beslist, daarna zolang wettelijke bewaartermijnen (tot 10 jaar) dat vereisen",
           "rights": "U hebt recht op inzage (art. 15), rectificatie (art. 16), wissing (art. 17), beperking (art. 18) en overdraagbaarheid (art. 20), en het recht om bezwaar te maken tegen de verwerking op grond van uw specifieke situatie (art. 21 AVG)."},
    "pl": {"source": "nota prawna (impressum) i dane kontaktowe opublikowane na stronie {site} oraz stwierdzone tam wykorzystanie zdjęć",
           "source_unknown": "publicznie dostępne informacje na stronie, na której wykorzystano zdjęcia",
           "purpose": "dochodzenie praw autorskich naszego mocodawcy do zdjęć wskazanych w tym piśmie i polubowne załatwienie roszczenia",
           "legal_basis": "art. 6 ust. 1 lit. f RODO",
           "retention": "do czasu zaspokojenia lub prawomocnego rozstrzygnięcia roszczenia, a następnie przez ustawowe okresy przechowywania (do 10 lat)",
           "rights": "Przysługuje Pani/Panu prawo dostępu (art. 15), sprostowania (art. 16), usunięcia (art. 17), ograniczenia przetwarzania (art. 18) i przenoszenia danych (art. 20) oraz prawo sprzeciwu z przyczyn związanych ze szczególną sytuacją (art. 21 RODO)."},
    "pt": {"source": "o aviso legal e os contactos publicados no sítio web {site}, bem como a utilização das imagens aí verificada",
           "source_unknown": "informação pública do sítio web em que as imagens foram utilizadas",
           "purpose": "fazer valer os direitos de autor do nosso mandante sobre as imagens indicadas nesta carta e regularizar a reclamação",
           "legal_basis": "artigo 6.º, n.º 1, alínea f), do RGPD",
           "retention": "até à regularização ou decisão definitiva da reclamação e, depois, durante os prazos legais de conservação (até 10 anos)",
           "rights": "Tem direito de acesso (art. 15.º), retificação (art. 16.º), apagamento (art. 17.º), limitação (art. 18.º) e portabilidade (art. 20.º), bem como de se opor ao tratamento por motivos relacionados com a sua situação particular (art. 21.º RGPD)."},
}

SETTLEMENT_COVERS = {
    "en": "all claims of our client for the past use of the images listed in this letter, including costs",
    "de": "sämtliche Ansprüche unserer Mandantschaft aus der bisherigen Nutzung der in diesem Schreiben bezeichneten Bilder einschließlich der Kosten",
    "fr": "l'ensemble des prétentions de notre mandant au titre de l'utilisation passée des images désignées, frais compris",
    "es": "todas las reclamaciones de nuestro mandante por el uso pasado de las imágenes indicadas, incluidos los gastos",
    "it": "tutte le pretese del nostro mandante per l'utilizzo passato delle immagini indicate, spese comprese",
    "nl": "alle aanspraken van onze opdrachtgever wegens het gebruik in het verleden van de genoemde afbeeldingen, inclusief kosten",
    "pl": "wszelkie roszczenia naszego mocodawcy z tytułu dotychczasowego wykorzystania wskazanych zdjęć, łącznie z kosztami",
    "pt": "todas as pretensões do nosso mandante pela utilização passada das imagens indicadas, incluindo custos",
}

UNDERTAKING = {
    "en": "to refrain, on pain of a contractual penalty for each future infringement, from reproducing the photograph(s) {titles} or making them available to the public without our client's consent",
    "de": "es bei Meidung einer für jeden Fall der Zuwiderhandlung fälligen Vertragsstrafe zu unterlassen, die Fotografie(n) {titles} ohne Zustimmung unserer Mandantschaft zu vervielfältigen oder öffentlich zugänglich zu machen",
}

CLOSURE = {
    "en": {"paid_in_full": "the amount agreed has been paid in full", "licence_shown": "you have shown a valid licence for the use",
           "withdrawn_by_client": "our client has withdrawn the claim", "not_commercial": "the use was found not to be commercial",
           "duplicate": "the matter is dealt with under another reference"},
    "de": {"paid_in_full": "der vereinbarte Betrag vollständig gezahlt ist", "licence_shown": "Sie eine gültige Lizenz für die Nutzung nachgewiesen haben",
           "withdrawn_by_client": "unsere Mandantschaft den Anspruch zurückgenommen hat", "not_commercial": "sich die Nutzung als nicht gewerblich erwiesen hat",
           "duplicate": "die Angelegenheit unter einem anderen Zeichen bearbeitet wird"},
}


def words(table: dict, language: str):
    return table.get(language) or table["en"]
