"""Sales copy of IPTV reseller shops, in the shops' languages (words they really use)."""

from __future__ import annotations

SHOP: dict[str, dict[str, str]] = {
    "en": {
        "hero": "Premium IPTV Subscription - 20,000+ Live Channels & 80,000+ VOD",
        "sub": "Sky Sports, TNT Sports, beIN, DAZN, every Premier League match in FHD/4K. "
               "Anti-freeze servers, 99.9% uptime, instant activation.",
        "features": "Anti-freeze technology|4K / FHD / HD quality|7-day catch-up & full EPG|"
                    "Works on Firestick, MAG, Smart TV, Android, iOS|24/7 WhatsApp support|"
                    "Instant delivery by email",
        "cur": "£", "prices": "12.99|29.99|44.99|69.99",
        "trial": "Request your free 24h trial. Your test line is below: paste the M3U link "
                 "into your player or log in with Xtream Codes.",
        "guide_mag": "Go to Settings > System settings > Servers > Portals. Portal 1 name: "
                     "{brand}. Portal 1 URL: {portal}. Save and restart the box.",
        "guide_fire": "Install the Downloader app, enter code 78522 to get IPTV Smarters Pro, "
                      "open it, choose 'Login with Xtream Codes API' and enter the server URL, "
                      "username and password from your activation email.",
        "guide_tv": "Install Smart IPTV or IBO Player from the TV store, note the MAC address and "
                    "send it to us with your order. We upload your playlist for you.",
        "reseller": "Become a reseller: buy credits, create lines from your own panel. "
                    "50 credits £250, 100 credits £450.",
        "faq_q": "Do you offer a free trial?|Which devices are supported?|Will it freeze "
                 "during big matches?",
        "faq_a": "Yes, 24 hours, no card needed.|All of them: Firestick, MAG, Android boxes, "
                 "Smart TVs, phones.|No. Our anti-freeze servers are load balanced.",
        "groups": "UK|USA|Sports|PPV & Events|Movies|Kids",
    },
    "fr": {
        "hero": "Abonnement IPTV Premium - plus de 20 000 chaînes et 80 000 films et séries VOD",
        "sub": "Canal+, beIN SPORTS, RMC Sport, DAZN : tous les matchs de Ligue 1 en direct en "
               "FHD/4K. Serveurs anti-freeze, activation immédiate.",
        "features": "Technologie anti-freeze|Qualité 4K / FHD / HD|Replay 7 jours et guide TV|"
                    "Compatible Firestick, MAG, Smart TV, Android, iOS|Support WhatsApp 7j/7|"
                    "Livraison immédiate par e-mail",
        "cur": "€", "prices": "14,99|34,99|49,99|79,99",
        "trial": "Demandez votre test gratuit 24h. Voici votre ligne de test : collez le lien "
                 "M3U dans votre lecteur ou connectez-vous avec Xtream Codes.",
        "guide_mag": "Allez dans Réglages > Paramètres système > Serveurs > Portails. Nom du "
                     "portail 1 : {brand}. URL du portail 1 : {portal}. Enregistrez puis "
                     "redémarrez le boîtier.",
        "guide_fire": "Installez l'application Downloader, entrez le code 78522 pour obtenir "
                      "IPTV Smarters Pro puis connectez-vous avec l'API Xtream Codes.",
        "guide_tv": "Installez Smart IPTV ou IBO Player depuis le store de la TV et envoyez-nous "
                    "l'adresse MAC avec votre commande.",
        "reseller": "Devenez revendeur : achetez des crédits et créez vos lignes depuis votre "
                    "panel. 50 crédits 290 €, 100 crédits 520 €.",
        "faq_q": "Proposez-vous un test gratuit ?|Quels appareils sont compatibles ?|Est-ce que "
                 "ça coupe pendant les gros matchs ?",
        "faq_a": "Oui, 24h sans carte bancaire.|Tous : Firestick, MAG, box Android, Smart TV, "
                 "smartphones.|Non, nos serveurs anti-freeze sont équilibrés.",
        "groups": "France|Sport|Cinéma|Belgique|Afrique|Enfants",
    },
    "es": {
        "hero": "Suscripción IPTV Premium - más de 20.000 canales y 80.000 películas y series",
        "sub": "Movistar LaLiga, DAZN, beIN, Champions: todo el fútbol en directo en FHD/4K. "
               "Servidores anti-congelamiento (anti-freeze), activación inmediata.",
        "features": "Tecnología anti-freeze|Calidad 4K / FHD / HD|Catch-up 7 días y guía EPG|"
                    "Compatible con Firestick, MAG, Smart TV, Android, iOS|Soporte 24/7 por "
                    "WhatsApp|Entrega inmediata por email",
        "cur": "€", "prices": "12,99|29,99|44,99|69,99",
        "trial": "Solicita tu prueba gratis de 24h. Esta es tu línea de prueba: pega el enlace "
                 "M3U en tu reproductor o entra con Xtream Codes.",
        "guide_mag": "Ve a Ajustes > Configuración del sistema > Servidores > Portales. Nombre "
                     "portal 1: {brand}. URL portal 1: {portal}. Guarda y reinicia.",
        "guide_fire": "Instala la app Downloader, introduce el código 78522 para descargar IPTV "
                      "Smarters Pro y entra con la API de Xtream Codes.",
        "guide_tv": "Instala Smart IPTV o IBO Player desde la tienda de tu televisor y envíanos "
                    "la dirección MAC con tu pedido.",
        "reseller": "Hazte revendedor: compra créditos y crea líneas desde tu propio panel. "
                    "50 créditos 270 €, 100 créditos 490 €.",
        "faq_q": "¿Tenéis prueba gratis?|¿Qué dispositivos son compatibles?|¿Se congela en los "
                 "partidos grandes?",
        "faq_a": "Sí, 24 horas sin tarjeta.|Todos: Firestick, MAG, Android TV, Smart TV, "
                 "móviles.|No, nuestros servidores anti-freeze están balanceados.",
        "groups": "España|Deportes|LaLiga|Latino|Cine|Infantil",
    },
    "pt": {
        "hero": "Assinatura IPTV Premium - mais de 20.000 canais e 80.000 filmes e séries",
        "sub": "Premiere, SporTV, Telecine, HBO: todos os jogos do Brasileirão ao vivo em FHD/4K. "
               "Servidores anti-travamento, ativação imediata.",
        "features": "Tecnologia anti-travamento (anti-freeze)|Qualidade 4K / FHD / HD|"
                    "Replay 7 dias e guia EPG|Funciona em Firestick, MAG, Smart TV, TV Box, "
                    "celular|Suporte 24h pelo WhatsApp|Entrega imediata",
        "cur": "R$", "prices": "35,00|90,00|160,00|280,00",
        "trial": "Peça seu teste grátis de 24h. Esta é sua linha de teste: cole o link M3U no "
                 "seu aplicativo ou entre com Xtream Codes.",
        "guide_mag": "Vá em Configurações > Configurações do sistema > Servidores > Portais. "
                     "Nome do portal 1: {brand}. URL do portal 1: {portal}.",
        "guide_fire": "Instale o app Downloader, digite o código 78522 para baixar o IPTV "
                      "Smarters Pro e entre com a API Xtream Codes.",
        "guide_tv": "Instale o Smart IPTV ou IBO Player na loja da TV e nos envie o endereço MAC "
                    "junto com o pedido.",
        "reseller": "Seja revendedor: compre créditos e crie linhas no seu próprio painel. "
                    "50 créditos R$ 900, 100 créditos R$ 1.600.",
        "faq_q": "Tem teste grátis?|Quais aparelhos funcionam?|Trava nos jogos grandes?",
        "faq_a": "Sim, 24 horas sem cartão.|Todos: Firestick, MAG, TV Box, Smart TV, celular.|"
                 "Não, nossos servidores anti-travamento são balanceados.",
        "groups": "Brasil|Esportes|Premiere|Filmes|Infantil|Novelas",
    },
}

PLAN_MONTHS = (1, 3, 6, 12)
