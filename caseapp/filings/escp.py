"""Form A of the European Small Claims Procedure (Regulation (EC) No 861/2007 as amended by
Regulation (EU) 2015/2421; the form is Annex I of Implementing Regulation (EU) 2017/1259), filled
from the case in the language of the court's member state (art. 6(1)).

The sections follow the form's ten numbered parts: 1 court, 2 claimant, 3 defendant, 4 jurisdiction,
5 cross-border nature, 6 bank details, 7 claim, 8 details of the claim, 9 certificate, 10 date and
signature (the structure as the e-Justice portal's Form A and the UIHJ's ESCP toolkit describe it).
The headings here are caseapp's rendering of the official ones: before filing, the lawyer checks the
wording against the form on the e-Justice portal (https://e-justice.europa.eu, "Small claims")."""
from __future__ import annotations

from caseapp.filings import render as rendering
from caseapp.filings.render import PDF, RenderedFile

TEXT = {
    "en": dict(
        title="Form A — Claim form", subtitle="European Small Claims Procedure, Regulation (EC) No 861/2007",
        s1="1. Court/tribunal", s2="2. Claimant", s3="3. Defendant", s4="4. Jurisdiction",
        s5="5. Cross-border nature of the case", s6="6. Bank details (optional)", s7="7. Claim",
        s8="8. Details of claim", s9="9. Certificate", s10="10. Date and signature",
        name="Name", address="Address", country="Country", email="E-mail", representative="Representative",
        register="Register number", file_number="File number",
        ground_domicile="The defendant is domiciled in the Member State of the court (Art. 4(1) Regulation (EU) "
                        "No 1215/2012).",
        claimant_state="Claimant's country of domicile", defendant_state="Defendant's country of domicile",
        court_state="Country of the court", bank_none="No bank details given: the court fee is paid as the court "
                                                      "directs.",
        amount="Amount of the claim (without interest and costs)", currency="Currency", interest="Interest",
        interest_text="Statutory interest from the date the claim is filed.", costs="Costs",
        costs_text="The claimant asks that the defendant bear the costs of the proceedings (Art. 16).",
        details_intro="The defendant reproduced and made available to the public the claimant's photographs "
                      "without a licence (copyright infringement). Damages are claimed as a reasonable licence fee.",
        found="found on", evidence="Evidence: captures of the pages (annexed, with their SHA-256 hashes)",
        capture="Capture", hearing="The claimant does not ask for an oral hearing (Art. 5(1a)).",
        certificate="The claimant asks for a certificate for the judgment (Form D, Art. 20(2)).",
        truth="I declare that the information given is true to the best of my knowledge and belief.",
        place_date="Place and date", signature="Signature"),
    "de": dict(
        title="Formblatt A — Klageformblatt",
        subtitle="Europäisches Verfahren für geringfügige Forderungen, Verordnung (EG) Nr. 861/2007",
        s1="1. Gericht", s2="2. Kläger", s3="3. Beklagter", s4="4. Zuständigkeit des Gerichts",
        s5="5. Grenzüberschreitender Charakter der Rechtssache", s6="6. Bankverbindung (fakultativ)",
        s7="7. Forderung", s8="8. Einzelheiten der Forderung", s9="9. Bestätigung", s10="10. Datum und Unterschrift",
        name="Name", address="Anschrift", country="Staat", email="E-Mail", representative="Vertreter",
        register="Registernummer", file_number="Aktenzeichen",
        ground_domicile="Der Beklagte hat seinen Wohnsitz im Mitgliedstaat des Gerichts (Art. 4 Abs. 1 "
                        "Verordnung (EU) Nr. 1215/2012).",
        claimant_state="Wohnsitzstaat des Klägers", defendant_state="Wohnsitzstaat des Beklagten",
        court_state="Staat des Gerichts", bank_none="Keine Bankverbindung angegeben: die Gerichtsgebühr wird nach "
                                                    "Weisung des Gerichts gezahlt.",
        amount="Höhe der Forderung (ohne Zinsen und Kosten)", currency="Währung", interest="Zinsen",
        interest_text="Gesetzliche Zinsen ab Eingang der Klage.", costs="Kosten",
        costs_text="Der Kläger beantragt, dem Beklagten die Kosten des Verfahrens aufzuerlegen (Art. 16).",
        details_intro="Der Beklagte hat Fotografien des Klägers ohne Lizenz vervielfältigt und öffentlich "
                      "zugänglich gemacht (Urheberrechtsverletzung). Schadensersatz wird als angemessene "
                      "Lizenzgebühr verlangt.",
        found="festgestellt am", evidence="Beweismittel: Sicherungen der Seiten (anbei, mit ihren SHA-256-Werten)",
        capture="Sicherung", hearing="Der Kläger beantragt keine mündliche Verhandlung (Art. 5 Abs. 1a).",
        certificate="Der Kläger beantragt eine Bestätigung des Urteils (Formblatt D, Art. 20 Abs. 2).",
        truth="Ich versichere, dass die Angaben nach bestem Wissen und Gewissen richtig sind.",
        place_date="Ort und Datum", signature="Unterschrift"),
    "fr": dict(
        title="Formulaire A — Formulaire de demande",
        subtitle="Procédure européenne de règlement des petits litiges, règlement (CE) n° 861/2007",
        s1="1. Juridiction", s2="2. Demandeur", s3="3. Défendeur", s4="4. Compétence de la juridiction",
        s5="5. Caractère transfrontière de l'affaire", s6="6. Coordonnées bancaires (facultatif)", s7="7. Demande",
        s8="8. Précisions concernant la demande", s9="9. Certificat", s10="10. Date et signature",
        name="Nom", address="Adresse", country="Pays", email="Courriel", representative="Représentant",
        register="Numéro d'immatriculation", file_number="Numéro de dossier",
        ground_domicile="Le défendeur est domicilié dans l'État membre de la juridiction (art. 4, par. 1, du "
                        "règlement (UE) n° 1215/2012).",
        claimant_state="Pays de domicile du demandeur", defendant_state="Pays de domicile du défendeur",
        court_state="Pays de la juridiction", bank_none="Aucune coordonnée bancaire : les frais de justice sont "
                                                        "payés selon les indications de la juridiction.",
        amount="Montant de la demande (hors intérêts et frais)", currency="Monnaie", interest="Intérêts",
        interest_text="Intérêts au taux légal à compter de l'introduction de la demande.", costs="Frais",
        costs_text="Le demandeur demande que les frais de procédure soient mis à la charge du défendeur (art. 16).",
        details_intro="Le défendeur a reproduit et mis à la disposition du public les photographies du demandeur "
                      "sans licence (contrefaçon de droit d'auteur). Des dommages-intérêts sont demandés sur la base "
                      "d'une redevance de licence raisonnable.",
        found="constatée le", evidence="Preuves : captures des pages (en annexe, avec leurs empreintes SHA-256)",
        capture="Capture", hearing="Le demandeur ne demande pas la tenue d'une audience (art. 5, par. 1 bis).",
        certificate="Le demandeur demande un certificat concernant la décision (formulaire D, art. 20, par. 2).",
        truth="Je déclare que les informations fournies sont, à ma connaissance, exactes.",
        place_date="Lieu et date", signature="Signature"),
    "es": dict(
        title="Formulario A — Formulario de demanda",
        subtitle="Proceso europeo de escasa cuantía, Reglamento (CE) n.º 861/2007",
        s1="1. Órgano jurisdiccional", s2="2. Demandante", s3="3. Demandado", s4="4. Competencia judicial",
        s5="5. Carácter transfronterizo del asunto", s6="6. Datos bancarios (opcional)", s7="7. Demanda",
        s8="8. Detalles de la demanda", s9="9. Certificado", s10="10. Fecha y firma",
        name="Nombre", address="Dirección", country="País", email="Correo electrónico", representative="Representante",
        register="Número de registro", file_number="Número de asunto",
        ground_domicile="El demandado tiene su domicilio en el Estado miembro del órgano jurisdiccional (art. 4, "
                        "apdo. 1, del Reglamento (UE) n.º 1215/2012).",
        claimant_state="País de domicilio del demandante", defendant_state="País de domicilio del demandado",
        court_state="País del órgano jurisdiccional", bank_none="Sin datos bancarios: la tasa judicial se paga "
                                                                "según indique el órgano jurisdiccional.",
        amount="Importe de la demanda (sin intereses ni costas)", currency="Moneda", interest="Intereses",
        interest_text="Intereses legales desde la presentación de la demanda.", costs="Costas",
        costs_text="El demandante solicita que las costas se impongan al demandado (art. 16).",
        details_intro="El demandado reprodujo y puso a disposición del público fotografías del demandante sin "
                      "licencia (infracción de derechos de autor). Se reclama una indemnización equivalente a una "
                      "remuneración razonable por la licencia.",
        found="constatado el", evidence="Pruebas: capturas de las páginas (adjuntas, con sus valores SHA-256)",
        capture="Captura", hearing="El demandante no solicita vista oral (art. 5, apdo. 1 bis).",
        certificate="El demandante solicita un certificado de la sentencia (formulario D, art. 20, apdo. 2).",
        truth="Declaro que la información facilitada es, a mi leal saber y entender, veraz.",
        place_date="Lugar y fecha", signature="Firma"),
    "it": dict(
        title="Modulo A — Modulo di domanda",
        subtitle="Procedimento europeo per le controversie di modesta entità, regolamento (CE) n. 861/2007",
        s1="1. Organo giurisdizionale", s2="2. Attore", s3="3. Convenuto", s4="4. Competenza giurisdizionale",
        s5="5. Carattere transfrontaliero della controversia", s6="6. Coordinate bancarie (facoltativo)",
        s7="7. Domanda", s8="8. Dettagli della domanda", s9="9. Certificato", s10="10. Data e firma",
        name="Nome", address="Indirizzo", country="Paese", email="E-mail", representative="Rappresentante",
        register="Numero di registro", file_number="Numero di ruolo",
        ground_domicile="Il convenuto è domiciliato nello Stato membro dell'organo giurisdizionale (art. 4, par. 1, "
                        "regolamento (UE) n. 1215/2012).",
        claimant_state="Paese di domicilio dell'attore", defendant_state="Paese di domicilio del convenuto",
        court_state="Paese dell'organo giurisdizionale", bank_none="Nessuna coordinata bancaria: il contributo è "
                                                                   "versato secondo le indicazioni dell'ufficio.",
        amount="Importo della domanda (esclusi interessi e spese)", currency="Valuta", interest="Interessi",
        interest_text="Interessi legali dalla proposizione della domanda.", costs="Spese",
        costs_text="L'attore chiede che le spese del procedimento siano poste a carico del convenuto (art. 16).",
        details_intro="Il convenuto ha riprodotto e messo a disposizione del pubblico fotografie dell'attore senza "
                      "licenza (violazione del diritto d'autore). Si chiede il risarcimento pari a un ragionevole "
                      "compenso di licenza.",
        found="accertato il", evidence="Prove: acquisizioni delle pagine (allegate, con i valori SHA-256)",
        capture="Acquisizione", hearing="L'attore non chiede un'udienza (art. 5, par. 1 bis).",
        certificate="L'attore chiede il rilascio del certificato relativo alla sentenza (modulo D, art. 20, par. 2).",
        truth="Dichiaro che le informazioni fornite sono veritiere secondo scienza e coscienza.",
        place_date="Luogo e data", signature="Firma"),
    "nl": dict(
        title="Formulier A — Vorderingsformulier",
        subtitle="Europese procedure voor geringe vorderingen, Verordening (EG) nr. 861/2007",
        s1="1. Gerecht", s2="2. Eiser", s3="3. Verweerder", s4="4. Rechterlijke bevoegdheid",
        s5="5. Grensoverschrijdend karakter van de zaak", s6="6. Bankgegevens (facultatief)", s7="7. Vordering",
        s8="8. Nadere gegevens over de vordering", s9="9. Certificaat", s10="10. Datum en handtekening",
        name="Naam", address="Adres", country="Land", email="E-mail", representative="Vertegenwoordiger",
        register="Registratienummer", file_number="Zaaknummer",
        ground_domicile="De verweerder woont in de lidstaat van het gerecht (art. 4, lid 1, Verordening (EU) "
                        "nr. 1215/2012).",
        claimant_state="Woonstaat van de eiser", defendant_state="Woonstaat van de verweerder",
        court_state="Staat van het gerecht", bank_none="Geen bankgegevens: het griffierecht wordt betaald zoals het "
                                                       "gerecht aangeeft.",
        amount="Bedrag van de vordering (zonder rente en kosten)", currency="Valuta", interest="Rente",
        interest_text="Wettelijke rente vanaf de indiening van de vordering.", costs="Kosten",
        costs_text="De eiser verzoekt de verweerder in de proceskosten te veroordelen (art. 16).",
        details_intro="De verweerder heeft foto's van de eiser zonder licentie verveelvoudigd en openbaar gemaakt "
                      "(inbreuk op het auteursrecht). Schadevergoeding wordt gevorderd als een redelijke "
                      "licentievergoeding.",
        found="vastgesteld op", evidence="Bewijs: vastleggingen van de pagina's (bijgevoegd, met hun SHA-256-waarden)",
        capture="Vastlegging", hearing="De eiser verzoekt niet om een mondelinge behandeling (art. 5, lid 1 bis).",
        certificate="De eiser verzoekt om een certificaat betreffende de beslissing (formulier D, art. 20, lid 2).",
        truth="Ik verklaar dat de verstrekte gegevens naar mijn beste weten juist zijn.",
        place_date="Plaats en datum", signature="Handtekening"),
}


def render(facts, check, store) -> list[RenderedFile]:
    language = check.language
    variables = dict(
        t=TEXT[language], ref=facts.ref, court=check.court, claimant=facts.client, defendant=facts.party,
        representative=facts.representative, claimant_country=rendering.country_name(facts.client.country, language),
        defendant_country=rendering.country_name(facts.party.country, language), damages=facts.damage_lines,
        value=facts.damages, costs=facts.costs_due or None, items=facts.items, captures=facts.captures,
        today=facts.today, footer=f"{facts.ref} · Reg. (EC) 861/2007, Form A")
    data = rendering.pdf("form_a.html", language, variables, store)
    return [RenderedFile(f"{facts.ref}-form-a-{language}.pdf", PDF, data)]
