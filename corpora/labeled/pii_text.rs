//! PII in prose, chat prompts and log lines, across locales.
//!
//! Each PII plant is planted [`super::PII_REPEATS`] times, cycling through the three carriers
//! and through the locales. A plant whose rule id names a country (`phone-fr`, `us-ssn`,
//! `kr-rrn`: a token listed in a locale's `tokens`) goes only to that country's locale, since
//! its lead is a context word in that language; the others go everywhere. Files:
//! `pii/prose-LOCALE.txt`, `pii/chat-LOCALE.jsonl` (one `{"role":"user","content":...}`
//! message per line), `pii/log-LOCALE.log`.
//!
//! The sentences and messages are written for this corpus; they carry no context word of
//! their own (the plant's lead brings the one its rule needs), so a value is never caught only
//! because the template happened to help.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::gencorpus::{generate, Kind};
use super::values::Plant;
use super::{json_escape, shuffle, CorpusFile, Doc, Planted, Rng, PII_REPEATS};

struct Locale {
    code: &'static str,
    /// Rule-id tokens (split on `-`) of the rules that belong to this locale.
    tokens: &'static [&'static str],
    /// Sentences with one `{}` for the value.
    prose: &'static [&'static str],
    /// Sentences without a value.
    filler: &'static [&'static str],
    /// Chat messages with one `{}`.
    chat: &'static [&'static str],
    /// Log messages with one `{}`.
    log: &'static [&'static str],
}

const EN_PROSE: &[&str] = &[
    "Following up on our call, the detail we have on file is {} and nothing else changed.",
    "Please double-check {} before the form goes out on Friday.",
    "According to the intake sheet, {}, which matches what the customer told us.",
    "I copied {} from the old record (the new one was still empty).",
    "For the audit trail: {}",
];
const EN_FILLER: &[&str] = &[
    "The customer asked us to update the record after the move.",
    "Nothing else in the file needed attention this week.",
    "We closed the ticket once the new address was confirmed.",
    "She said the previous agent had already started on it.",
];
const EN_CHAT: &[&str] = &[
    "Can you write a short, polite email to my landlord? Mention {} so they can find my file.",
    "Summarize this for me in two bullet points: the client gave {} and wants a callback.",
    "Fix the grammar please: i already send you {} last week but nobody answer",
    "Turn this into a table with one row: {}",
];
const EN_LOG: &[&str] = &[
    "profile updated field=contact value={} source=web",
    "validation passed for {} in step 2",
    "import row 17: {}",
];

const LOCALES: &[Locale] = &[
    Locale {
        code: "en-US",
        tokens: &["us", "ca"],
        prose: EN_PROSE,
        filler: EN_FILLER,
        chat: EN_CHAT,
        log: EN_LOG,
    },
    Locale {
        code: "en-GB",
        tokens: &["uk", "gb", "ie", "au", "sg", "nhs", "nino"],
        prose: &[
            "Further to our conversation, the detail on file is {} and nothing else has changed.",
            "Could you check {} before the paperwork goes out on Friday?",
            "As per the form, {}, which is what the client told us.",
            "I've copied {} across from the old record.",
        ],
        filler: &[
            "The client rang to say they had moved house.",
            "Nothing else on the file needed looking at this week.",
            "We'll close the case once the new details are confirmed.",
        ],
        chat: &[
            "Could you draft a brief note to my letting agent? Please include {} so they can find me.",
            "Make this sound more formal: the details are {} and I need an answer by Monday.",
            "Put this in a list for me: {}",
        ],
        log: EN_LOG,
    },
    Locale {
        code: "en-IN",
        tokens: &["in", "aadhaar", "pan"],
        prose: &[
            "As discussed on call, the details on record are {} only, kindly do the needful.",
            "Please verify {} before the KYC is closed.",
            "Customer has shared {} for the account opening.",
        ],
        filler: &[
            "Customer visited the branch today regarding the update.",
            "Kindly revert once the documents are verified.",
            "Bhai, yeh file kal tak close karni hai.",
        ],
        chat: &[
            "Please write a formal letter to the bank manager, mention {} for my account.",
            "Mera detail yeh hai: {} - isko ek proper email mein likh do please.",
            "Translate to Hindi: my registered detail is {}",
        ],
        log: EN_LOG,
    },
    Locale {
        code: "de",
        tokens: &["de", "at", "ch"],
        prose: &[
            "Wie besprochen lautet die hinterlegte Angabe {} und sonst hat sich nichts geändert.",
            "Bitte prüfen Sie {} noch einmal, bevor das Formular am Freitag rausgeht.",
            "Laut Aufnahmebogen: {}, das deckt sich mit der Aussage der Kundin.",
            "Ich habe {} aus dem alten Datensatz übernommen.",
        ],
        filler: &[
            "Die Kundin hat nach dem Umzug um eine Aktualisierung gebeten.",
            "Sonst war in der Akte diese Woche nichts zu tun.",
            "Der Vorgang wird geschlossen, sobald die neue Anschrift bestätigt ist.",
        ],
        chat: &[
            "Schreib bitte eine kurze, höfliche Mail an meinen Vermieter und nenne {} damit er mich findet.",
            "Fasse das in zwei Stichpunkten zusammen: der Kunde hat {} angegeben und will einen Rückruf.",
            "Korrigier bitte die Rechtschreibung: ich hab ihnen {} schon letzte woche geschickt",
        ],
        log: &[
            "Kundendaten aktualisiert feld=kontakt wert={} quelle=web",
            "Prüfung erfolgreich für {} in Schritt 2",
        ],
    },
    Locale {
        code: "fr",
        tokens: &["fr", "be"],
        prose: &[
            "Suite à notre appel, l'information enregistrée est {} et rien d'autre n'a changé.",
            "Merci de vérifier {} avant l'envoi du dossier vendredi.",
            "D'après la fiche d'accueil : {}, ce qui correspond à ce que la cliente nous a dit.",
        ],
        filler: &[
            "La cliente a demandé une mise à jour après son déménagement.",
            "Rien d'autre dans le dossier ne demandait d'attention cette semaine.",
            "Le ticket sera clos dès confirmation de la nouvelle adresse.",
        ],
        chat: &[
            "Peux-tu rédiger un court mail poli à mon propriétaire ? Indique {} pour qu'il retrouve mon dossier.",
            "Résume ceci en deux points : le client a donné {} et attend un rappel.",
            "Corrige les fautes stp : je vous est déjà envoyé {} la semaine dernière",
        ],
        log: &["fiche client mise à jour champ=contact valeur={} source=web"],
    },
    Locale {
        code: "es",
        tokens: &["es"],
        prose: &[
            "Tras nuestra llamada, el dato que consta es {} y no ha cambiado nada más.",
            "Por favor, revisa {} antes de enviar el formulario el viernes.",
            "Según la ficha de alta: {}, que coincide con lo que nos dijo la clienta.",
        ],
        filler: &[
            "La clienta pidió actualizar sus datos después de la mudanza.",
            "No hubo nada más que revisar en el expediente esta semana.",
        ],
        chat: &[
            "¿Puedes escribir un correo breve y amable a mi casero? Menciona {} para que encuentre mi expediente.",
            "Resume esto en dos puntos: el cliente dio {} y quiere que le llamen.",
        ],
        log: &["ficha de cliente actualizada campo=contacto valor={} origen=web"],
    },
    Locale {
        code: "it",
        tokens: &["it"],
        prose: &[
            "Come da telefonata, il dato registrato è {} e nient'altro è cambiato.",
            "Per favore controlla {} prima che il modulo parta venerdì.",
            "Dalla scheda di accettazione: {}, che corrisponde a quanto detto dalla cliente.",
        ],
        filler: &[
            "La cliente ha chiesto di aggiornare i dati dopo il trasloco.",
            "Nient'altro nella pratica richiedeva attenzione questa settimana.",
        ],
        chat: &[
            "Mi scrivi una breve mail gentile al padrone di casa? Indica {} così trova la mia pratica.",
            "Riassumi in due punti: il cliente ha fornito {} e vuole essere richiamato.",
        ],
        log: &["scheda cliente aggiornata campo=contatto valore={} origine=web"],
    },
    Locale {
        code: "nl",
        tokens: &["nl"],
        prose: &[
            "Naar aanleiding van ons gesprek: het gegeven in het dossier is {} en verder is er niets veranderd.",
            "Wil je {} nog even controleren voordat het formulier vrijdag weggaat?",
            "Volgens het intakeformulier: {}, dat klopt met wat de klant zei.",
        ],
        filler: &[
            "De klant vroeg na de verhuizing om een aanpassing.",
            "Verder hoefde er deze week niets aan het dossier te gebeuren.",
        ],
        chat: &[
            "Kun je een korte, beleefde mail aan mijn verhuurder schrijven? Noem {} zodat hij mijn dossier vindt.",
            "Vat dit samen in twee punten: de klant gaf {} en wil teruggebeld worden.",
        ],
        log: &["klantgegevens bijgewerkt veld=contact waarde={} bron=web"],
    },
    Locale {
        code: "pl",
        tokens: &["pl"],
        prose: &[
            "Zgodnie z naszą rozmową w aktach widnieje {} i nic więcej się nie zmieniło.",
            "Proszę sprawdzić {} przed wysłaniem formularza w piątek.",
            "Według karty przyjęcia: {}, co zgadza się z tym, co powiedziała klientka.",
        ],
        filler: &[
            "Klientka poprosiła o aktualizację danych po przeprowadzce.",
            "W tym tygodniu nic więcej w aktach nie wymagało uwagi.",
        ],
        chat: &[
            "Napisz proszę krótki, uprzejmy mail do właściciela mieszkania i podaj {} żeby znalazł moją sprawę.",
            "Streść to w dwóch punktach: klient podał {} i prosi o kontakt.",
        ],
        log: &["zaktualizowano dane klienta pole=kontakt wartość={} źródło=web"],
    },
    Locale {
        code: "sv",
        tokens: &["se"],
        prose: &[
            "Som vi pratade om är uppgiften i ärendet {} och inget annat har ändrats.",
            "Kan du dubbelkolla {} innan blanketten skickas på fredag?",
        ],
        filler: &[
            "Kunden bad om en uppdatering efter flytten.",
            "Inget mer i ärendet behövde göras den här veckan.",
        ],
        chat: &[
            "Kan du skriva ett kort, artigt mejl till min hyresvärd? Nämn {} så att han hittar mitt ärende.",
            "Sammanfatta i två punkter: kunden uppgav {} och vill bli uppringd.",
        ],
        log: &["kunduppgifter uppdaterade fält=kontakt värde={} källa=web"],
    },
    Locale {
        code: "fi",
        tokens: &["fi"],
        prose: &[
            "Puhelun mukaan asiakirjoissa oleva tieto on {} eikä muuta ole muuttunut.",
            "Tarkistathan vielä {} ennen kuin lomake lähtee perjantaina.",
        ],
        filler: &[
            "Asiakas pyysi päivittämään tiedot muuton jälkeen.",
            "Asiassa ei ollut tällä viikolla muuta hoidettavaa.",
        ],
        chat: &[
            "Kirjoita lyhyt ja kohtelias viesti vuokranantajalleni ja mainitse {} jotta hän löytää asiani.",
            "Tiivistä kahteen kohtaan: asiakas antoi {} ja haluaa soiton.",
        ],
        log: &["asiakastiedot päivitetty kenttä=yhteys arvo={} lähde=web"],
    },
    Locale {
        code: "da",
        tokens: &["dk", "no"],
        prose: &[
            "Som aftalt er oplysningen i sagen {} og intet andet er ændret.",
            "Vil du lige tjekke {} inden blanketten sendes fredag?",
        ],
        filler: &[
            "Kunden bad om en opdatering efter flytningen.",
            "Der var ikke mere at gøre i sagen i denne uge.",
        ],
        chat: &[
            "Kan du skrive en kort, høflig mail til min udlejer? Nævn {} så han kan finde min sag.",
            "Opsummer i to punkter: kunden oplyste {} og vil ringes op.",
        ],
        log: &["kundedata opdateret felt=kontakt værdi={} kilde=web"],
    },
    Locale {
        code: "pt-BR",
        tokens: &["br"],
        prose: &[
            "Conforme conversamos, o dado cadastrado é {} e nada mais mudou.",
            "Por favor, confira {} antes de enviar o formulário na sexta.",
            "Segundo a ficha de cadastro: {}, o que bate com o que a cliente disse.",
        ],
        filler: &[
            "A cliente pediu para atualizar o cadastro depois da mudança.",
            "Não havia mais nada pendente no processo nesta semana.",
        ],
        chat: &[
            "Você pode escrever um e-mail curto e educado para o meu locador? Cite {} para ele achar meu cadastro.",
            "Resuma em dois tópicos: o cliente informou {} e quer retorno.",
        ],
        log: &["cadastro atualizado campo=contato valor={} origem=web"],
    },
    Locale {
        code: "ko",
        tokens: &["kr"],
        prose: &[
            "통화에서 말씀드린 대로 등록된 정보는 {} 이고 다른 변경 사항은 없습니다.",
            "금요일에 서류를 보내기 전에 {} 다시 한 번 확인해 주세요.",
            "접수 양식에 따르면 {}로 되어 있고 고객님 말씀과 일치합니다.",
        ],
        filler: &[
            "고객님이 이사 후 정보 변경을 요청하셨습니다.",
            "이번 주에는 추가로 처리할 사항이 없었습니다.",
        ],
        chat: &[
            "집주인에게 보낼 짧고 정중한 메일을 써 줘. 내 서류를 찾을 수 있게 {} 꼭 넣어 줘.",
            "두 줄로 요약해 줘: 고객이 {} 알려 줬고 회신을 원함.",
        ],
        log: &["고객 정보 수정 필드=연락처 값={} 출처=web"],
    },
];

const LOG_SERVICES: &[&str] = &["crm-api", "onboarding", "billing-worker", "support-bot"];

/// The locales a plant goes to.
fn locales_for(rule: &str) -> Vec<usize> {
    let own: Vec<usize> = LOCALES
        .iter()
        .enumerate()
        .filter(|(_, l)| rule.split('-').any(|t| l.tokens.contains(&t)))
        .map(|(i, _)| i)
        .collect();
    if own.is_empty() {
        (0..LOCALES.len()).collect()
    } else {
        own
    }
}

/// A value fits a JSON string as-is only without characters JSON escapes.
fn json_safe(p: &Planted) -> bool {
    !p.text()
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
}

pub fn files(rng: &mut Rng, plants: &[Plant]) -> Vec<CorpusFile> {
    // (carrier, locale) -> values, in a fixed order.
    let mut slots: BTreeMap<(usize, usize), Vec<Planted>> = BTreeMap::new();
    for (i, plant) in plants.iter().enumerate() {
        let locales = locales_for(plant.rule);
        for r in 0..PII_REPEATS {
            let p = Planted::new(plant, rng);
            let locale = locales[(i + r) % locales.len()];
            let mut carrier = r % 3;
            if (carrier == 1 && !json_safe(&p)) || p.value.contains('\n') {
                carrier = 0;
            }
            slots.entry((carrier, locale)).or_default().push(p);
        }
    }
    let clean = generate(rng.next(), 16 * 1024, Kind::Clean);
    let clean = String::from_utf8(clean.bytes).expect("the generator writes UTF-8");
    let clean_lines: Vec<&str> = clean.lines().filter(|l| !l.starts_with('#')).collect();
    let mut out = vec![];
    for ((carrier, locale), mut values) in slots {
        shuffle(rng, &mut values);
        let l = &LOCALES[locale];
        let doc = match carrier {
            0 => prose(rng, l, &values),
            1 => chat(rng, l, &values),
            _ => log(rng, l, &values, &clean_lines),
        };
        let kind = ["prose", "chat", "log"][carrier];
        let ext = ["txt", "jsonl", "log"][carrier];
        out.push(doc.finish(format!("pii/{kind}-{}.{ext}", l.code)));
    }
    out
}

fn prose(rng: &mut Rng, l: &Locale, values: &[Planted]) -> Doc {
    let mut doc = Doc::default();
    for (n, p) in values.iter().enumerate() {
        if rng.chance(50) {
            doc.push(rng.pick(l.filler));
            doc.push(" ");
        }
        doc.fill(rng.pick(l.prose), p);
        if rng.chance(40) {
            doc.push(" ");
            doc.push(rng.pick(l.filler));
        }
        doc.push(if n % 3 == 2 { "\n\n" } else { "\n" });
    }
    doc
}

fn chat(rng: &mut Rng, l: &Locale, values: &[Planted]) -> Doc {
    let mut doc = Doc::default();
    for p in values {
        if rng.chance(30) {
            let _ = writeln!(
                doc.text,
                "{{\"role\":\"user\",\"content\":\"{}\"}}",
                json_escape(rng.pick(l.filler))
            );
        }
        let template = rng.pick(l.chat);
        let (before, after) = template.split_once("{}").expect("chat template slot");
        let _ = write!(
            doc.text,
            "{{\"role\":\"user\",\"content\":\"{}",
            json_escape(before)
        );
        doc.plant(p);
        let _ = writeln!(doc.text, "{}\"}}", json_escape(after));
    }
    doc
}

fn log(rng: &mut Rng, l: &Locale, values: &[Planted], clean: &[&str]) -> Doc {
    let mut doc = Doc::default();
    for (n, p) in values.iter().enumerate() {
        for _ in 0..rng.below(3) {
            doc.push(clean[rng.below(clean.len() as u64) as usize]);
            doc.push("\n");
        }
        let svc = rng.pick(LOG_SERVICES);
        let (h, m, s, ms) = (rng.below(24), rng.below(60), rng.below(60), rng.below(1000));
        let day = 1 + n % 28;
        let template = rng.pick(l.log);
        match rng.below(3) {
            0 => {
                let _ = write!(
                    doc.text,
                    "2026-03-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z INFO  {svc} locale={} ",
                    l.code
                );
                doc.fill(template, p);
            }
            1 => {
                let _ = write!(
                    doc.text,
                    "2026-03-{day:02} {h:02}:{m:02}:{s:02},{ms:03} - {svc} - DEBUG - [{}] ",
                    l.code
                );
                doc.fill(template, p);
            }
            _ => {
                let _ = write!(
                    doc.text,
                    "level=info ts=2026-03-{day:02}T{h:02}:{m:02}:{s:02}Z service={svc} lang={} msg=\"",
                    l.code
                );
                doc.fill(template, p);
                doc.push("\"");
            }
        }
        doc.push("\n");
    }
    doc
}
