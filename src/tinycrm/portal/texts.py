"""The portal's words in each language it speaks (`[portal] language`)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "portal": "Customer portal",
        "sign_in": "Sign in",
        "sign_in_intro": "Enter your e-mail address: we will send you a link to sign in.",
        "email": "E-mail address",
        "send_link": "Send me a link",
        "sent_title": "Check your e-mail",
        "sent": (
            "If {address} is an address we know, a link to sign in is on its way. It works once,"
            " for 15 minutes."
        ),
        "confirm_title": "Sign in to {shop}",
        "confirm": "Press the button to sign in. The link then stops working.",
        "refused_title": "This link cannot be used",
        "refused_unknown": "This link is not valid. Check that it was copied whole.",
        "refused_used": "This link has already been used; each link works once.",
        "refused_expired": "This link has expired; links work for 15 minutes.",
        "ask_again": "Ask for a new link",
        "not_email": "That is not an e-mail address.",
        "limited_title": "Too many attempts",
        "limited": "Too many sign-in e-mails were asked for. Please try again in 15 minutes.",
        "csrf_title": "The form expired",
        "csrf": "For your safety the form has expired. Please go back, reload and try again.",
        "too_large_title": "Too much text",
        "too_large": "What was sent is too large. Please shorten it and try again.",
        "not_found_title": "Page not found",
        "not_found": "There is no such page.",
        "signed_out_title": "Please sign in",
        "signed_out": "You are not signed in, or your session has ended.",
        "error_title": "Something went wrong",
        "error": "Something went wrong on our side; nothing was changed. Please try again later.",
        "sign_out": "Sign out",
        "hello": "Hello {name}",
        "your_details": "Your details",
        "name": "Name",
        "emails": "E-mail",
        "phones": "Phone",
        "address": "Address",
        "birthday": "Birthday",
        "company": "Company",
        "purchases": "Your purchases",
        "no_purchases": "No purchases yet.",
        "date": "Date",
        "products": "Products",
        "amount": "Amount",
        "cases": "Your cases",
        "no_cases": "No cases.",
        "case": "Case",
        "status": "Status",
        "opened": "Opened",
        "reply": "Our reply",
        "open": "Open",
        "escalated": "Being handled by a specialist",
        "resolved": "Resolved on {day}",
        "surveys": "Surveys waiting for your answer",
        "no_surveys": "No surveys waiting.",
        "survey_sent": "Sent on {day}, open until {until}",
        "mail_subject": "Your link to sign in to {shop}",
        "mail_body": (
            "Hello {name},\n\nto sign in to {shop}, open this link within 15"
            " minutes:\n\n{link}\n\nIt works once. If you did not ask for it, you can ignore this"
            " message.\n\n{shop}\n"
        ),
        "refused_input": "Nothing was changed",
        "back": "Back to your page",
        "done_request": "Thank you: your request has been sent to us.",
        "done_complaint": "Thank you: your complaint has been recorded; we will get back to you.",
        "done_surveys_on": "You will get our satisfaction surveys again.",
        "done_surveys_off": "You will get no more satisfaction surveys from us.",
        "done_survey": "Thank you for your answer!",
        "survey_closed": "This survey cannot be answered",
        "email_confirmed": "Address confirmed",
        "email_added": "{address} has been added to your details.",
        "email_held": "{address} is confirmed; we will add it to your details shortly.",
        "confirm_subject": "Confirm your new address at {shop}",
        "confirm_body": (
            "Hello {name},\n\nto add this address to your details at {shop}, open this link"
            " within 15 minutes:\n\n{link}\n\nIf you did not ask for it, you can ignore this"
            " message.\n\n{shop}\n"
        ),
        "confirm_email_title": "Confirm your new address",
        "confirm_email": "Press the button to add this address to your details.",
        "confirm_button": "Confirm",
        "requests": "Order again or ask for a service",
        "product": "Order again",
        "no_product": "(nothing to order again)",
        "request_text": "What do you need?",
        "send_request": "Send request",
        "your_requests": "Your requests",
        "pending": "Pending",
        "done": "Done",
        "complain": "Report a problem",
        "complaint_text": "Describe the problem",
        "send_complaint": "Send",
        "surveys_choice": "Satisfaction surveys",
        "surveys_yes": "Send me satisfaction surveys",
        "surveys_no": "Send me no satisfaction surveys",
        "save": "Save",
        "answer": "Answer",
        "csat": "How satisfied are you with {shop}? 1 means not at all, 5 very satisfied.",
        "nps": (
            "How likely are you to recommend {shop} to a friend or colleague? 0 means not at all"
            " likely, 10 extremely likely."
        ),
        "your_score": "Your score",
        "comment": "A comment (optional)",
        "your_data": "Your data",
        "download_data": "Download everything we hold about you (JSON)",
        "change_details": "Change your details",
        "details_intro": (
            "One e-mail address or phone number per line. A new e-mail address is added once you"
            " confirm it from that address."
        ),
        "birthday_help": "For example 1980-03-14, or --03-14 without the year.",
        "changes_applied": "Your details have been updated: {changes}.",
        "changes_held": "Thank you: we will review your changes ({changes}) shortly.",
        "confirm_sent": "We have sent a link to {address}: open it to add that address.",
        "invite_subject": "Your customer page at {shop}",
        "invite_body": (
            "Hello {name},\n\nyou can now see your purchases, your requests and your details at"
            " {shop} online, and change them, at any hour:\n\n{url}\n\nSign in with this address"
            " ({address}): we send you a link, no password needed.\n\n{shop}\n"
        ),
    },
    "es": {
        "portal": "Portal de clientes",
        "sign_in": "Entrar",
        "sign_in_intro": "Escriba su correo electrónico: le enviaremos un enlace para entrar.",
        "email": "Correo electrónico",
        "send_link": "Enviarme un enlace",
        "sent_title": "Revise su correo",
        "sent": (
            "Si conocemos la dirección {address}, le hemos enviado un enlace para entrar. Sirve"
            " una sola vez, durante 15 minutos."
        ),
        "confirm_title": "Entrar en {shop}",
        "confirm": "Pulse el botón para entrar. Después el enlace deja de funcionar.",
        "refused_title": "Este enlace no se puede usar",
        "refused_unknown": "Este enlace no es válido. Compruebe que lo copió entero.",
        "refused_used": "Este enlace ya se ha usado; cada enlace sirve una sola vez.",
        "refused_expired": "Este enlace ha caducado; los enlaces duran 15 minutos.",
        "ask_again": "Pedir un enlace nuevo",
        "not_email": "Eso no es una dirección de correo electrónico.",
        "limited_title": "Demasiados intentos",
        "limited": (
            "Se han pedido demasiados correos para entrar. Inténtelo de nuevo en 15 minutos."
        ),
        "csrf_title": "El formulario ha caducado",
        "csrf": "Por su seguridad el formulario ha caducado. Vuelva atrás, recargue e inténtelo.",
        "too_large_title": "Demasiado texto",
        "too_large": "Lo enviado es demasiado largo. Acórtelo e inténtelo de nuevo.",
        "not_found_title": "Página no encontrada",
        "not_found": "Esta página no existe.",
        "signed_out_title": "Inicie sesión",
        "signed_out": "No ha iniciado sesión, o su sesión ha terminado.",
        "error_title": "Algo ha fallado",
        "error": "Algo ha fallado por nuestra parte; no se ha cambiado nada. Inténtelo más tarde.",
        "sign_out": "Salir",
        "hello": "Hola, {name}",
        "your_details": "Sus datos",
        "name": "Nombre",
        "emails": "Correo electrónico",
        "phones": "Teléfono",
        "address": "Dirección",
        "birthday": "Cumpleaños",
        "company": "Empresa",
        "purchases": "Sus compras",
        "no_purchases": "Todavía no hay compras.",
        "date": "Fecha",
        "products": "Productos",
        "amount": "Importe",
        "cases": "Sus incidencias",
        "no_cases": "No hay incidencias.",
        "case": "Incidencia",
        "status": "Estado",
        "opened": "Abierta",
        "reply": "Nuestra respuesta",
        "open": "Abierta",
        "escalated": "La atiende un especialista",
        "resolved": "Resuelta el {day}",
        "surveys": "Encuestas pendientes de respuesta",
        "no_surveys": "No hay encuestas pendientes.",
        "survey_sent": "Enviada el {day}, abierta hasta el {until}",
        "mail_subject": "Su enlace para entrar en {shop}",
        "mail_body": (
            "Hola, {name}:\n\npara entrar en {shop}, abra este enlace antes de 15"
            " minutos:\n\n{link}\n\nSirve una sola vez. Si no lo ha pedido, puede ignorar este"
            " mensaje.\n\n{shop}\n"
        ),
        "refused_input": "No se ha cambiado nada",
        "back": "Volver a su página",
        "done_request": "Gracias: hemos recibido su petición.",
        "done_complaint": "Gracias: hemos registrado su reclamación y le responderemos.",
        "done_surveys_on": "Volverá a recibir nuestras encuestas de satisfacción.",
        "done_surveys_off": "No recibirá más encuestas de satisfacción.",
        "done_survey": "¡Gracias por su respuesta!",
        "survey_closed": "Esta encuesta no se puede responder",
        "email_confirmed": "Dirección confirmada",
        "email_added": "Hemos añadido {address} a sus datos.",
        "email_held": "{address} está confirmada; la añadiremos a sus datos en breve.",
        "confirm_subject": "Confirme su nueva dirección en {shop}",
        "confirm_body": (
            "Hola, {name}:\n\npara añadir esta dirección a sus datos en {shop}, abra este enlace"
            " antes de 15 minutos:\n\n{link}\n\nSi no lo ha pedido, puede ignorar este"
            " mensaje.\n\n{shop}\n"
        ),
        "confirm_email_title": "Confirme su nueva dirección",
        "confirm_email": "Pulse el botón para añadir esta dirección a sus datos.",
        "confirm_button": "Confirmar",
        "requests": "Volver a pedir o solicitar un servicio",
        "product": "Volver a pedir",
        "no_product": "(nada que volver a pedir)",
        "request_text": "¿Qué necesita?",
        "send_request": "Enviar petición",
        "your_requests": "Sus peticiones",
        "pending": "Pendiente",
        "done": "Hecho",
        "complain": "Comunicar un problema",
        "complaint_text": "Describa el problema",
        "send_complaint": "Enviar",
        "surveys_choice": "Encuestas de satisfacción",
        "surveys_yes": "Enviarme encuestas de satisfacción",
        "surveys_no": "No enviarme encuestas de satisfacción",
        "save": "Guardar",
        "answer": "Responder",
        "csat": "¿Qué grado de satisfacción tiene con {shop}? 1 significa nada, 5 muy satisfecho.",
        "nps": (
            "¿Qué probabilidad hay de que recomiende {shop} a un amigo o colega? 0 significa"
            " ninguna, 10 muchísima."
        ),
        "your_score": "Su puntuación",
        "comment": "Un comentario (opcional)",
        "your_data": "Sus datos personales",
        "download_data": "Descargar todo lo que guardamos sobre usted (JSON)",
        "change_details": "Cambiar sus datos",
        "details_intro": (
            "Una dirección de correo o un teléfono por línea. Una dirección nueva se añade cuando"
            " la confirme desde esa dirección."
        ),
        "birthday_help": "Por ejemplo 1980-03-14, o --03-14 sin el año.",
        "changes_applied": "Hemos actualizado sus datos: {changes}.",
        "changes_held": "Gracias: revisaremos sus cambios ({changes}) en breve.",
        "confirm_sent": "Hemos enviado un enlace a {address}: ábralo para añadir esa dirección.",
        "invite_subject": "Su página de cliente en {shop}",
        "invite_body": (
            "Hola, {name}:\n\nya puede ver en línea, a cualquier hora, sus compras, sus"
            " peticiones y sus datos en {shop}, y cambiarlos:\n\n{url}\n\nEntre con esta"
            " dirección ({address}): le enviamos un enlace, sin contraseña.\n\n{shop}\n"
        ),
    },
    "it": {
        "portal": "Area clienti",
        "sign_in": "Accedi",
        "sign_in_intro": "Inserisci il tuo indirizzo e-mail: ti invieremo un link per accedere.",
        "email": "Indirizzo e-mail",
        "send_link": "Inviami un link",
        "sent_title": "Controlla la tua e-mail",
        "sent": (
            "Se conosciamo l'indirizzo {address}, ti abbiamo inviato un link per accedere. Vale"
            " una sola volta, per 15 minuti."
        ),
        "confirm_title": "Accedi a {shop}",
        "confirm": "Premi il pulsante per accedere. Dopo, il link non funziona più.",
        "refused_title": "Questo link non si può usare",
        "refused_unknown": "Questo link non è valido. Controlla di averlo copiato per intero.",
        "refused_used": "Questo link è già stato usato; ogni link vale una sola volta.",
        "refused_expired": "Questo link è scaduto; i link valgono 15 minuti.",
        "ask_again": "Chiedi un nuovo link",
        "not_email": "Questo non è un indirizzo e-mail.",
        "limited_title": "Troppi tentativi",
        "limited": "Sono state chieste troppe e-mail di accesso. Riprova tra 15 minuti.",
        "csrf_title": "Il modulo è scaduto",
        "csrf": "Per sicurezza il modulo è scaduto. Torna indietro, ricarica la pagina e riprova.",
        "too_large_title": "Troppo testo",
        "too_large": "Il testo inviato è troppo lungo. Accorcialo e riprova.",
        "not_found_title": "Pagina non trovata",
        "not_found": "Questa pagina non esiste.",
        "signed_out_title": "Accedi",
        "signed_out": "Non hai effettuato l'accesso, oppure la sessione è terminata.",
        "error_title": "Qualcosa è andato storto",
        "error": (
            "Qualcosa è andato storto da parte nostra; nulla è stato cambiato. Riprova più tardi."
        ),
        "sign_out": "Esci",
        "hello": "Ciao {name}",
        "your_details": "I tuoi dati",
        "name": "Nome",
        "emails": "E-mail",
        "phones": "Telefono",
        "address": "Indirizzo",
        "birthday": "Compleanno",
        "company": "Azienda",
        "purchases": "I tuoi acquisti",
        "no_purchases": "Ancora nessun acquisto.",
        "date": "Data",
        "products": "Prodotti",
        "amount": "Importo",
        "cases": "Le tue segnalazioni",
        "no_cases": "Nessuna segnalazione.",
        "case": "Segnalazione",
        "status": "Stato",
        "opened": "Aperta",
        "reply": "La nostra risposta",
        "open": "Aperta",
        "escalated": "La sta seguendo uno specialista",
        "resolved": "Risolta il {day}",
        "surveys": "Sondaggi in attesa di risposta",
        "no_surveys": "Nessun sondaggio in attesa.",
        "survey_sent": "Inviato il {day}, aperto fino al {until}",
        "mail_subject": "Il tuo link per accedere a {shop}",
        "mail_body": (
            "Ciao {name},\n\nper accedere a {shop}, apri questo link entro 15"
            " minuti:\n\n{link}\n\nVale una sola volta. Se non l'hai chiesto, puoi ignorare"
            " questo messaggio.\n\n{shop}\n"
        ),
        "refused_input": "Non è stato cambiato nulla",
        "back": "Torna alla tua pagina",
        "done_request": "Grazie: abbiamo ricevuto la tua richiesta.",
        "done_complaint": "Grazie: abbiamo registrato il tuo reclamo e ti risponderemo.",
        "done_surveys_on": "Riceverai di nuovo i nostri sondaggi di soddisfazione.",
        "done_surveys_off": "Non riceverai più sondaggi di soddisfazione.",
        "done_survey": "Grazie per la tua risposta!",
        "survey_closed": "Non si può rispondere a questo sondaggio",
        "email_confirmed": "Indirizzo confermato",
        "email_added": "Abbiamo aggiunto {address} ai tuoi dati.",
        "email_held": "{address} è confermato; lo aggiungeremo presto ai tuoi dati.",
        "confirm_subject": "Conferma il tuo nuovo indirizzo presso {shop}",
        "confirm_body": (
            "Ciao {name},\n\nper aggiungere questo indirizzo ai tuoi dati presso {shop}, apri"
            " questo link entro 15 minuti:\n\n{link}\n\nSe non l'hai chiesto, puoi ignorare"
            " questo messaggio.\n\n{shop}\n"
        ),
        "confirm_email_title": "Conferma il tuo nuovo indirizzo",
        "confirm_email": "Premi il pulsante per aggiungere questo indirizzo ai tuoi dati.",
        "confirm_button": "Conferma",
        "requests": "Ordina di nuovo o chiedi un servizio",
        "product": "Ordina di nuovo",
        "no_product": "(niente da ordinare di nuovo)",
        "request_text": "Di che cosa hai bisogno?",
        "send_request": "Invia la richiesta",
        "your_requests": "Le tue richieste",
        "pending": "In attesa",
        "done": "Fatto",
        "complain": "Segnala un problema",
        "complaint_text": "Descrivi il problema",
        "send_complaint": "Invia",
        "surveys_choice": "Sondaggi di soddisfazione",
        "surveys_yes": "Inviami i sondaggi di soddisfazione",
        "surveys_no": "Non inviarmi sondaggi di soddisfazione",
        "save": "Salva",
        "answer": "Rispondi",
        "csat": "Quanto sei soddisfatto di {shop}? 1 significa per niente, 5 molto soddisfatto.",
        "nps": (
            "Quanto è probabile che consigli {shop} a un amico o a un collega? 0 significa per"
            " niente, 10 moltissimo."
        ),
        "your_score": "Il tuo voto",
        "comment": "Un commento (facoltativo)",
        "your_data": "I tuoi dati personali",
        "download_data": "Scarica tutto ciò che conserviamo su di te (JSON)",
        "change_details": "Modifica i tuoi dati",
        "details_intro": (
            "Un indirizzo e-mail o un numero di telefono per riga. Un nuovo indirizzo viene"
            " aggiunto quando lo confermi da quell'indirizzo."
        ),
        "birthday_help": "Per esempio 1980-03-14, oppure --03-14 senza l'anno.",
        "changes_applied": "I tuoi dati sono stati aggiornati: {changes}.",
        "changes_held": "Grazie: esamineremo presto le tue modifiche ({changes}).",
        "confirm_sent": (
            "Abbiamo inviato un link a {address}: aprilo per aggiungere quell'indirizzo."
        ),
        "invite_subject": "La tua pagina cliente presso {shop}",
        "invite_body": (
            "Ciao {name},\n\nora puoi vedere online, a qualsiasi ora, i tuoi acquisti, le tue"
            " richieste e i tuoi dati presso {shop}, e modificarli:\n\n{url}\n\nAccedi con questo"
            " indirizzo ({address}): ti inviamo un link, senza password.\n\n{shop}\n"
        ),
    },
}
