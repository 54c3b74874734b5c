"""The demo company's texts in the four UI languages (kit.demo_language picks one): data only."""

from __future__ import annotations

# English → (Norwegian bokmål, Swedish, Finnish)
TEXTS: dict[str, tuple[str, str, str]] = {
    # surfaces (the others are names: nordvikoutdoor.no, Nettbutikk, Nordvik app, Facebook, Instagram)
    "Min side (customer portal)": ("Min side (kundeportal)", "Min side (kundportal)", "Min side (asiakasportaali)"),
    "Turbrevet newsletter": ("Turbrevet nyhetsbrev", "Turbrevet nyhetsbrev", "Turbrevet-uutiskirje"),
    "Intranet": ("Intranett", "Intranät", "Intranet"),
    # goals
    "Grow online revenue by 15 %": (
        "Øke netthandelen med 15 %",
        "Öka näthandeln med 15 %",
        "Kasvatetaan verkkomyyntiä 15 %",
    ),
    "Sell more through our own channels than through resellers.": (
        "Selge mer gjennom egne kanaler enn gjennom forhandlere.",
        "Sälja mer genom egna kanaler än genom återförsäljare.",
        "Myydään enemmän omissa kanavissa kuin jälleenmyyjien kautta.",
    ),
    "Be the outdoor brand people trust": (
        "Være friluftsmerket folk stoler på",
        "Vara friluftsmärket folk litar på",
        "Ulkoilubrändi, johon luotetaan",
    ),
    "Known for honest advice on gear and trips.": (
        "Kjent for ærlige råd om utstyr og turer.",
        "Känt för ärliga råd om utrustning och turer.",
        "Tunnettu rehellisistä neuvoista varusteista ja retkistä.",
    ),
    "Trip guides and gear tests that rank in search": (
        "Turguider og utstyrstester som rangerer i søk",
        "Turguider och utrustningstester som syns i sök",
        "Retkioppaat ja varustetestit, jotka nousevat hauissa",
    ),
    "Answer what people search for before a trip, and link to the gear.": (
        "Svar på det folk søker etter før en tur, og lenk til utstyret.",
        "Svara på det folk söker efter före en tur, och länka till utrustningen.",
        "Vastataan siihen, mitä ihmiset hakevat ennen retkeä, ja linkitetään varusteisiin.",
    ),
    "Trip stories on Instagram and Facebook": (
        "Turhistorier på Instagram og Facebook",
        "Turberättelser på Instagram och Facebook",
        "Retkitarinat Instagramissa ja Facebookissa",
    ),
    "Customers' own trips, reposted with permission.": (
        "Kundenes egne turer, delt på nytt med tillatelse.",
        "Kundernas egna turer, delade igen med tillstånd.",
        "Asiakkaiden omat retket, jaettuina luvan kanssa.",
    ),
    "Turbrevet: seasonal tips that bring readers back": (
        "Turbrevet: sesongtips som får leserne tilbake",
        "Turbrevet: säsongstips som får läsarna att komma tillbaka",
        "Turbrevet: kauden vinkit, jotka tuovat lukijat takaisin",
    ),
    "One useful tip per issue, not only offers.": (
        "Ett nyttig tips i hvert nummer, ikke bare tilbud.",
        "Ett användbart tips i varje nummer, inte bara erbjudanden.",
        "Yksi hyödyllinen vinkki joka numerossa, ei pelkkiä tarjouksia.",
    ),
    "Make buying easy": ("Gjøre det lett å kjøpe", "Göra det lätt att köpa", "Ostamisesta helppoa"),
    "Fewer reasons to leave the shop before paying.": (
        "Færre grunner til å forlate butikken før betaling.",
        "Färre skäl att lämna butiken innan betalning.",
        "Vähemmän syitä poistua kaupasta ennen maksamista.",
    ),
    "Faster checkout in the web shop": (
        "Raskere kasse i nettbutikken",
        "Snabbare kassa i webbutiken",
        "Nopeampi kassa verkkokaupassa",
    ),
    "Vipps, saved addresses and a clear delivery date.": (
        "Vipps, lagrede adresser og en tydelig leveringsdato.",
        "Vipps, sparade adresser och ett tydligt leveransdatum.",
        "Vipps, tallennetut osoitteet ja selvä toimituspäivä.",
    ),
    "Wish lists and stock alerts in the app": (
        "Ønskelister og lagervarsler i appen",
        "Önskelistor och lagerbevakning i appen",
        "Toivelistat ja saatavuusilmoitukset sovelluksessa",
    ),
    "Tell customers when their size is back.": (
        "Si fra til kundene når størrelsen deres er tilbake.",
        "Säg till kunderna när deras storlek är tillbaka.",
        "Kerrotaan asiakkaille, kun heidän kokonsa on taas saatavilla.",
    ),
    "Cut customer service costs by 20 %": (
        "Redusere kundeservicekostnadene med 20 %",
        "Minska kundtjänstkostnaderna med 20 %",
        "Leikataan asiakaspalvelun kustannuksia 20 %",
    ),
    "Fewer calls and emails per order.": (
        "Færre telefoner og e-poster per ordre.",
        "Färre samtal och mejl per order.",
        "Vähemmän puheluita ja sähköposteja tilausta kohden.",
    ),
    "Satisfied customers who do not need to ask": (
        "Fornøyde kunder som ikke trenger å spørre",
        "Nöjda kunder som inte behöver fråga",
        "Tyytyväiset asiakkaat, joiden ei tarvitse kysyä",
    ),
    "Answer fast where customers already are.": (
        "Svar raskt der kundene allerede er.",
        "Svara snabbt där kunderna redan finns.",
        "Vastataan nopeasti siellä, missä asiakkaat jo ovat.",
    ),
    "Answer complaints on Facebook within 4 hours": (
        "Svare på klager på Facebook innen 4 timer",
        "Svara på klagomål på Facebook inom 4 timmar",
        "Vastataan Facebookin valituksiin 4 tunnin sisällä",
    ),
    "Most unhappy customers never complain: those who do get a fast answer.": (
        "De fleste misfornøyde kunder klager aldri: de som gjør det, får raskt svar.",
        "De flesta missnöjda kunder klagar aldrig: de som gör det får snabbt svar.",
        "Useimmat tyytymättömät asiakkaat eivät koskaan valita: valittajat saavat nopean vastauksen.",
    ),
    "Self-service": ("Selvbetjening", "Självbetjäning", "Itsepalvelu"),
    "Customers and staff find the answer themselves.": (
        "Kunder og ansatte finner svaret selv.",
        "Kunder och personal hittar svaret själva.",
        "Asiakkaat ja henkilöstö löytävät vastauksen itse.",
    ),
    "Returns and order tracking on Min side": (
        "Retur og ordresporing på Min side",
        "Returer och orderspårning på Min side",
        "Palautukset ja tilausten seuranta Min side -portaalissa",
    ),
    "Start a return without calling us.": (
        "Start en retur uten å ringe oss.",
        "Starta en retur utan att ringa oss.",
        "Palautuksen voi aloittaa soittamatta meille.",
    ),
    "Product knowledge for shop staff on the intranet": (
        "Produktkunnskap for butikkansatte på intranettet",
        "Produktkunskap för butikspersonal på intranätet",
        "Tuotetietoa myymälähenkilöstölle intranetissä",
    ),
    "Staff answer gear questions without phoning the office.": (
        "Ansatte svarer på utstyrsspørsmål uten å ringe kontoret.",
        "Personalen svarar på utrustningsfrågor utan att ringa kontoret.",
        "Henkilöstö vastaa varustekysymyksiin soittamatta toimistolle.",
    ),
    # KPIs (the library's names where the library has the KPI)
    "Visits": ("Besøk", "Besök", "Käynnit"),
    "Sessions on nordvikoutdoor.no and the web shop.": (
        "Økter på nordvikoutdoor.no og i nettbutikken.",
        "Sessioner på nordvikoutdoor.no och i webbutiken.",
        "Istunnot sivustolla nordvikoutdoor.no ja verkkokaupassa.",
    ),
    "Conversion rate": ("Konverteringsrate", "Konverteringsgrad", "Konversioaste"),
    "Share of web shop sessions that end in an order.": (
        "Andel økter i nettbutikken som ender med en ordre.",
        "Andel sessioner i webbutiken som slutar med en order.",
        "Osuus verkkokaupan istunnoista, jotka päättyvät tilaukseen.",
    ),
    "Online revenue": ("Netthandel", "Näthandel", "Verkkomyynti"),
    "Web shop revenue, excluding VAT and returns.": (
        "Omsetning i nettbutikken, uten mva. og returer.",
        "Intäkter i webbutiken, exklusive moms och returer.",
        "Verkkokaupan myynti ilman arvonlisäveroa ja palautuksia.",
    ),
    "Marketing cost": ("Markedsføringskostnad", "Marknadsföringskostnad", "Markkinointikustannus"),
    "Paid media, agencies and tools; kept within the agreed budget.": (
        "Betalte medier, byråer og verktøy; holdes innenfor avtalt budsjett.",
        "Betalda medier, byråer och verktyg; hålls inom den avtalade budgeten.",
        "Maksettu media, toimistot ja työkalut; pidetään sovitussa budjetissa.",
    ),
    "Hours spent on content": ("Timer brukt på innhold", "Timmar på innehåll", "Sisältöön käytetyt tunnit"),
    "Hours the team logs on writing, photos and video.": (
        "Timer teamet fører på skriving, foto og video.",
        "Timmar teamet rapporterar på text, foto och video.",
        "Tunnit, jotka tiimi kirjaa kirjoittamiseen, kuviin ja videoon.",
    ),
    "Articles published": ("Publiserte artikler", "Publicerade artiklar", "Julkaistut artikkelit"),
    "Guides, gear tests and trip reports published.": (
        "Publiserte guider, utstyrstester og turrapporter.",
        "Publicerade guider, utrustningstester och turrapporter.",
        "Julkaistut oppaat, varustetestit ja retkikertomukset.",
    ),
    "Campaigns run": ("Gjennomførte kampanjer", "Genomförda kampanjer", "Toteutetut kampanjat"),
    "Newsletter, social and paid campaigns launched.": (
        "Nyhetsbrev, sosiale og betalte kampanjer som er satt i gang.",
        "Nyhetsbrev, sociala och betalda kampanjer som har startats.",
        "Käynnistetyt uutiskirje-, some- ja maksetut kampanjat.",
    ),
    "Net Promoter Score": ("Net Promoter Score", "Net Promoter Score", "Net Promoter Score"),
    "From the post-purchase survey, -100 to 100.": (
        "Fra undersøkelsen etter kjøp, -100 til 100.",
        "Från enkäten efter köp, -100 till 100.",
        "Oston jälkeisestä kyselystä, -100–100.",
    ),
    "Complaints": ("Klager", "Klagomål", "Valitukset"),
    "Customer complaints received across all channels.": (
        "Kundeklager mottatt i alle kanaler.",
        "Kundklagomål som kommit in i alla kanaler.",
        "Kaikista kanavista saapuneet asiakasvalitukset.",
    ),
    "Time to answer complaints": ("Svartid på klager", "Svarstid på klagomål", "Valitusten vastausaika"),
    "Hours from a complaint arriving to the first answer.": (
        "Timer fra en klage kommer inn til første svar.",
        "Timmar från att ett klagomål kommer in till första svaret.",
        "Tunnit valituksen saapumisesta ensimmäiseen vastaukseen.",
    ),
    # cycle notes, root causes and findings
    "Mobile checkout converts at half the desktop rate; desktop is steady.": (
        "Kassen på mobil konverterer halvparten så godt som på PC; PC er stabil.",
        "Kassan i mobilen konverterar hälften så bra som på datorn; datorn är stabil.",
        "Mobiilikassa konvertoi puolet huonommin kuin tietokoneella; tietokone on vakaa.",
    ),
    "Follows visits; the average order is unchanged.": (
        "Følger besøkene; snittordren er uendret.",
        "Följer besöken; snittordern är oförändrad.",
        "Seuraa käyntejä; keskiostos on ennallaan.",
    ),
    "Organic search carries the growth; paid traffic flat.": (
        "Organisk søk bærer veksten; betalt trafikk er flat.",
        "Organisk sökning bär tillväxten; betald trafik är oförändrad.",
        "Orgaaninen haku kantaa kasvun; maksettu liikenne ennallaan.",
    ),
    "Within the agreed budget band.": (
        "Innenfor det avtalte budsjettbåndet.",
        "Inom det avtalade budgetintervallet.",
        "Sovitun budjettivälin sisällä.",
    ),
    "Gear-test photo shoots take longer than planned.": (
        "Fotograferingen til utstyrstestene tar lengre tid enn planlagt.",
        "Fotograferingen till utrustningstesterna tar längre tid än planerat.",
        "Varustetestien kuvaukset vievät suunniteltua kauemmin.",
    ),
    "Detractors mention delivery times, not products.": (
        "Kritikerne nevner leveringstid, ikke produkter.",
        "Kritikerna nämner leveranstider, inte produkter.",
        "Arvostelijat mainitsevat toimitusajat, eivät tuotteita.",
    ),
    "Most complaints are about delivery dates.": (
        "De fleste klagene gjelder leveringsdatoer.",
        "De flesta klagomålen gäller leveransdatum.",
        "Useimmat valitukset koskevat toimituspäiviä.",
    ),
    "Weekend complaints wait until Monday.": (
        "Klager i helgen venter til mandag.",
        "Klagomål under helgen väntar till måndag.",
        "Viikonlopun valitukset odottavat maanantaihin.",
    ),
    "The payment step reloads on mobile and loses the basket for some card types.": (
        "Betalingssteget lastes på nytt på mobil og mister handlekurven for noen korttyper.",
        "Betalningssteget laddas om i mobilen och tappar varukorgen för vissa korttyper.",
        "Maksuvaihe latautuu mobiilissa uudelleen ja kadottaa ostoskorin joillakin korttityypeillä.",
    ),
    "Fewer visits from the newsletter while Turbrevet was paused.": (
        "Færre besøk fra nyhetsbrevet mens Turbrevet hadde pause.",
        "Färre besök från nyhetsbrevet medan Turbrevet hade uppehåll.",
        "Vähemmän käyntejä uutiskirjeestä, kun Turbrevet oli tauolla.",
    ),
    "The spring guides were published late, after the season's searches peaked.": (
        "Vårguidene ble publisert sent, etter at sesongens søk toppet seg.",
        "Vårguiderna publicerades sent, efter att säsongens sökningar toppat.",
        "Kevään oppaat julkaistiin myöhään, kauden hakujen huipun jälkeen.",
    ),
    "A campaign was booked twice with the agency.": (
        "En kampanje ble bestilt to ganger hos byrået.",
        "En kampanj bokades två gånger hos byrån.",
        "Kampanja varattiin toimistolta kahdesti.",
    ),
    "Photo shoots for gear tests are planned per article, not in batches.": (
        "Fotograferingen til utstyrstester planlegges per artikkel, ikke samlet.",
        "Fotograferingen till utrustningstester planeras per artikel, inte samlat.",
        "Varustetestien kuvaukset suunnitellaan artikkeli kerrallaan, ei erissä.",
    ),
    "Two writers on leave; no cover planned.": (
        "To skribenter i permisjon; ingen vikar planlagt.",
        "Två skribenter lediga; ingen ersättare planerad.",
        "Kaksi kirjoittajaa vapaalla; sijaista ei suunniteltu.",
    ),
    "The newsletter tool migration stopped campaigns for two weeks.": (
        "Byttet av nyhetsbrevverktøy stanset kampanjene i to uker.",
        "Bytet av nyhetsbrevsverktyg stoppade kampanjerna i två veckor.",
        "Uutiskirjetyökalun vaihto pysäytti kampanjat kahdeksi viikoksi.",
    ),
    "Delivery promises on the product page are too optimistic.": (
        "Leveringsløftene på produktsiden er for optimistiske.",
        "Leveranslöftena på produktsidan är för optimistiska.",
        "Tuotesivun toimituslupaukset ovat liian optimistisia.",
    ),
    "The carrier changed its pick-up time; orders after 14:00 ship a day later.": (
        "Transportøren endret hentetiden; ordrer etter kl. 14 sendes en dag senere.",
        "Transportören ändrade sin upphämtningstid; order efter kl. 14 skickas en dag senare.",
        "Kuljetusliike muutti noutoaikaansa; klo 14 jälkeen tulleet tilaukset lähtevät päivää myöhemmin.",
    ),
    "Nobody has the Facebook inbox on weekends.": (
        "Ingen har ansvar for Facebook-innboksen i helgene.",
        "Ingen har hand om Facebook-inkorgen på helgerna.",
        "Kukaan ei hoida Facebookin saapuneita viestejä viikonloppuisin.",
    ),
    "Not analysed yet.": ("Ikke analysert ennå.", "Inte analyserat ännu.", "Ei vielä analysoitu."),
    "Checkout: keep the basket when the payment page reloads on mobile.": (
        "Kassen: behold handlekurven når betalingssiden lastes på nytt på mobil.",
        "Kassan: behåll varukorgen när betalningssidan laddas om i mobilen.",
        "Kassa: ostoskori säilyy, kun maksusivu latautuu mobiilissa uudelleen.",
    ),
    "Show the real delivery date on every product page.": (
        "Vis den reelle leveringsdatoen på hver produktside.",
        "Visa det verkliga leveransdatumet på varje produktsida.",
        "Näytetään todellinen toimituspäivä jokaisella tuotesivulla.",
    ),
    "Move spend from display ads to the shop's search campaigns.": (
        "Flytt budsjett fra bannerannonser til butikkens søkekampanjer.",
        "Flytta budget från displayannonser till butikens sökkampanjer.",
        "Siirretään rahaa bannerimainonnasta kaupan hakukampanjoihin.",
    ),
    "Ask for the review in the delivery e-mail, not a week later.": (
        "Be om omtalen i leveringseposten, ikke en uke senere.",
        "Be om omdömet i leveransmejlet, inte en vecka senare.",
        "Pyydetään arvio toimitussähköpostissa, ei viikkoa myöhemmin.",
    ),
    "Bring back Turbrevet's seasonal tips with links to the shop.": (
        "Ta tilbake Turbrevets sesongtips med lenker til butikken.",
        "Ta tillbaka Turbrevets säsongstips med länkar till butiken.",
        "Palautetaan Turbrevetin kauden vinkit linkkeineen kauppaan.",
    ),
    # actions
    "Keep the basket when the mobile payment page reloads": (
        "Behold handlekurven når betalingssiden på mobil lastes på nytt",
        "Behåll varukorgen när betalningssidan i mobilen laddas om",
        "Ostoskori säilyy, kun mobiilin maksusivu latautuu uudelleen",
    ),
    "If the basket survives the reload, mobile buyers finish the order.": (
        "Hvis handlekurven overlever omlastingen, fullfører mobilkjøperne ordren.",
        "Om varukorgen klarar omladdningen slutför mobilköparna ordern.",
        "Jos ostoskori säilyy uudelleenlatauksessa, mobiiliostajat viimeistelevät tilauksen.",
    ),
    "Ask for the review in the delivery e-mail": (
        "Be om omtalen i leveringseposten",
        "Be om omdömet i leveransmejlet",
        "Pyydetään arvio toimitussähköpostissa",
    ),
    "Carrier pick-up at 16:00 so late orders ship the same day": (
        "Henting kl. 16 så sene ordrer sendes samme dag",
        "Upphämtning kl. 16 så att sena order skickas samma dag",
        "Nouto klo 16, jotta myöhäiset tilaukset lähtevät samana päivänä",
    ),
    "Move spend from display ads to search campaigns": (
        "Flytt budsjett fra bannerannonser til søkekampanjer",
        "Flytta budget från displayannonser till sökkampanjer",
        "Siirretään rahaa bannerimainonnasta hakukampanjoihin",
    ),
    "Rebuild the product filter": ("Bygg om produktfilteret", "Bygg om produktfiltret", "Uudistetaan tuotesuodatin"),
    "Redesign the blog": ("Nytt design på bloggen", "Ny design för bloggen", "Blogin uusi ulkoasu"),
    "Fix broken links from old campaigns": (
        "Rett døde lenker fra gamle kampanjer",
        "Rätta trasiga länkar från gamla kampanjer",
        "Korjataan vanhojen kampanjoiden rikkinäiset linkit",
    ),
    "Weekend rota for the Facebook inbox": (
        "Helgevakt for Facebook-innboksen",
        "Helgschema för Facebook-inkorgen",
        "Viikonloppuvuorot Facebookin viesteille",
    ),
    "Show the real delivery date on every product page": (
        "Vis den reelle leveringsdatoen på hver produktside",
        "Visa det verkliga leveransdatumet på varje produktsida",
        "Näytetään todellinen toimituspäivä jokaisella tuotesivulla",
    ),
    "Bring back Turbrevet's seasonal tips": (
        "Ta tilbake Turbrevets sesongtips",
        "Ta tillbaka Turbrevets säsongstips",
        "Palautetaan Turbrevetin kauden vinkit",
    ),
    "Batch the gear-test photo shoots": (
        "Samle fotograferingen til utstyrstestene",
        "Samla fotograferingen till utrustningstesterna",
        "Varustetestien kuvaukset yhdellä kertaa",
    ),
    "Start a podcast": ("Start en podkast", "Starta en podd", "Aloitetaan podcast"),
}
