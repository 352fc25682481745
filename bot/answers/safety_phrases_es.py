# ruff: noqa: ISC004
# (the pattern lists join long patterns across lines on purpose)
"""The phrase layer's Spanish patterns: how people in the US type it in chats (no accents, "q",
"k", slang, Spanglish), grouped by meaning.

Data only, read by :mod:`bot.answers.safety` (the English patterns are in
:mod:`bot.answers.safety_phrases`). Each list is one outcome; the patterns run on folded text
(lowercase, no accents, apostrophes or ñ, single spaces, common misspellings undone: see
``safety.spell_es``), and every match begins a word. Grown from the tune half of the safety sets
and the project's own Spanish tuning set (tests/data/safety_messages_es_extra.jsonl), never
from the held-out halves.
"""

from __future__ import annotations

PILLS_ES = r"(?:pastillas|pildoras|medicinas|medicamentos|pastas|tabletas|meds)"

# Building blocks for the Spanish groups below (folded text: no accents, lowercase).
#: The first person wanting, planning or thinking of something, in the tenses people use.
WANT_ES = (r"(?:quiero|kiero|qiero|quiera|quisiera|queria|deseo|deseaba|ganas de|tengo ganas de"
           r"|me dan ganas de|me gustaria|prefiero|preferiria|solo quiero|nomas quiero|voy a"
           r"|iba a|pienso|pensaba|pienso en|pensando en|pense en|he pensado en|e pensado en"
           r"|eh pensado en|planeo|planeando|decidi|intente|trate de|estoy por|ya mero|he querido"
           r"|e querido|eh querido|he deseado|me dieron ganas de|me entran ganas de|siento ganas de"
           r"|ando con ganas de|pensar en|pensado en|se me antoja)")
#: "me" before the verb: "me quiero colgar", "me voy a aventar".
ME_WANT_ES = (r"me (?:quiero|kiero|qiero|quisiera|queria|quiera|voy a|iba a|pienso|dan ganas de"
              r"|gustaria|deberia|podria|puedo|vuelvo a|volvi a|estoy por|intente|trate de)")
#: Places people jump from or in front of.
PLACES_ES = (r"(?:puente|edificio|techo|azotea|balcon|ventana|tren|trenes|vias|via del tren|metro"
             r"|carro|carros|camion|trafico|autopista|freeway|highway|carretera|rio|mar|lago"
             r"|precipicio|barranco|acantilado|overpass|paso a desnivel|segundo piso|tercer piso"
             r"|ultimo piso|estacionamiento)")
#: Jumping from or in front of a place: "tirarme del puente", "aventarme a las vias".
JUMP_ES = (r"(?:tirar|aventar|lanzar|botar|arrojar|echar|brincar|saltar)(?:me|se|te)? (?:de|del|desde|al|a|a la"
           r"|a las|a los|frente a|frente al|enfrente de|enfrente del|bajo|debajo de|abajo de|por)"
           r"(?: (?:la|el|los|las|un|una|mi|ese|esa|este|esta))? (?:\w+ )?" + PLACES_ES)
#: Self-injury or an accident at work: "me lastime la espalda cargando cajas" is not self-harm.
#: Not the name of a course or a topic of the work: "curso de prevencion del suicidio".
NOT_TRAINING_ES = (r"(?<!prevencion del )(?<!prevencion de )(?<!prevenir el )(?<!riesgo de )"
                   r"(?<!riesgo del )(?<!sobre el )(?<!tema del )")
#: Life itself, not a part of it: "harta de la vida" but not "harta de la vida de tecnico",
#: "la vida en retail", "vivir asi en cvs".
WHOLE_LIFE_ES = (r"(?! (?:de|en|como|del|laboral|asi en|asi de)\b(?! (?:mierda|porqueria|perros?)\b))")
AT_WORK_ES = (r"(?! (?:la|el|los|las|mi|mis) (?:espalda|rodilla|rodillas|mano|manos|pie|pies|cuello"
              r"|hombro|dedo|tobillo|cintura)\b| (?:cargando|levantando|trabajando|en el trabajo"
              r"|con la caja|con las cajas|sin querer|por accidente))")
SELF_ES = [
    NOT_TRAINING_ES + r"\bs[uo]+i?[cs]+i?d(?:arme|arm|arne|ar me|ario|io|a|al)\b",
    r"\b(?:matar(?:me|ne)|matarm)\b",
    r"\bme (?:quiero|kiero|qiero|quisiera|quiera|voy a|pienso|dan ganas de|gustaria|deberia|podria"
    r"|quieroo) (?:matar|suicidar|morir|quitar la vida|ir para siempre|desaparecer para siempre)\b",
    r"\b(?:quitar(?:me)?|quitarme) la vida\b",
    r"\bno (?:quiero|kiero|qiero|quisiera|deseo|tengo ganas de) (?:seguir )?(?:vivir|viviendo|estar"
    r" viv[oa]|existir|despertar|despertarme|seguir aqui|estar aqui|seguir en este mundo"
    r"|seguir con vida)\b",
    r"\bno (?:quiero|kiero|qiero) seguir$",
    r"\b(?:quiero|kiero|qiero|queria|quisiera|ganas de|deseo) (?:morir|morirme|morime|estar muert[oa]"
    r"|dejar de existir|no existir|no despertar|desaparecer para siempre|irme para siempre)\b",
    r"\bojala (?:me muriera|me muera|no despertara|no despierte|no existiera|estuviera muert[oa]"
    r"|no hubiera nacido)\b",
    r"\bacabar con (?:todo|mi vida|mi existencia|todo esto|todo de una vez)\b",
    r"\bterminar con (?:mi vida|todo)\b",
    r"\b(?:hacerme|hacer me) (?:da[nñ]o)\b",
    r"\bme (?:hago|sigo haciendo|estoy haciendo|vuelvo a hacer|volvi a hacer|he estado haciendo)"
    r" (?:da[nñ]o)\b",
    r"\b(?:lastimarme|herirme|autolesion\w*|auto lesion\w*|autolastim\w*)\b",
    r"\b(?:cortarme|me corto|me estoy cortando|me volvi a cortar|volvi a cortarme|me sigo cortando"
    r"|me he estado cortando|me corte las munecas|me corte los brazos)\b",
    r"\bsobre ?dosis (?:a proposito|apropos\w*|para morir|para no despertar)\b",
    r"\b(?:tomarme|tragarme|me voy a tomar|me quiero tomar|me tomo|me tome) (?:todas|todo|un frasco"
    r"|el frasco|un monton|muchas|toda la caja|un bote|el bote)(?: de| las| los)* " + PILLS_ES
    + r"?\b",
    r"\b(?:guardando|juntando|ahorrando|escondiendo|acumulando) " + PILLS_ES + r"\b",
    r"\bcartas? de despedida\b",
    r"\b(?:despedirme|me despedi|me estoy despidiendo) de (?:todos|mi familia|todo el mundo)\b",
    r"\b(?:estarian|estaria|estaran|estan|vivirian) (?:todos )?mejor sin mi\b",
    r"\bno (?:le )?(?:veo|encuentro|tiene|hay) (?:ningun )?(?:sentido|razon|razones|motivo|caso)"
    r" (?:a |de |para |en )?(?:vivir|seguir|la vida|mi vida|seguir viviendo|nada|estar viv[oa]"
    r"|existir)\b",
    r"\bpara que (?:seguir|vivir|sigo viviendo|seguir viviendo|estoy viv[oa])\b",
    r"\b(?:desaparecer|irme) para siempre\b",
    r"\bno (?:despertar|despertarme) (?:nunca|mas|jamas)\b",
    r"\bdormir y no despertar\b",
    r"\b(?:ya )?no (?:aguanto|puedo|soporto) (?:mas )?(?:vivir|con la vida|con mi vida|seguir"
    r" viviendo|estar viv[oa]|seguir viv[oa]|existir|la vida)\b" + WHOLE_LIFE_ES,
    r"\b(?:tirarme|aventarme|lanzarme|botarme) (?:de|del|al|desde|frente|enfrente|por)\b",
    r"\bahorcarme\b",
    r"\b(?:pienso|pensando|pensamientos|pense|he pensado) (?:en|de) (?:matarme|suicidarme|morirme"
    r"|quitarme la vida|acabar con todo|la muerte|morir|suicidio|no despertar)\b",
    r"\bplan para (?:matarme|suicidarme|morir|quitarme la vida)\b",
    r"\bsoy una carga para (?:todos|mi familia|todo el mundo)\b",
    r"\btomarm\w* todas\b",
    r"\bsi (?:yo )?(?:ya )?no (?:estuviera|existiera|despertara|viviera)\b",
    r"\bnadie (?:me )?(?:extranaria|notaria|se daria cuenta|lloraria)\b",
    r"\bcansad[oa] de (?:estar viv[oa]|vivir|la vida|existir)\b" + WHOLE_LIFE_ES,
    r"\bpa(?:ra)? no (?:despertar|despertarme|volver a despertar)\b",
    r"\b(?:decidi|voy a|quiero|pienso) (?:terminarla|terminar con ella|acabar con ella)\b",
    r"\bmi vida no vale nada\b",
    r"\b(?:mejor|ya|pues|hoy|manana|neta|mejor ya) me mato\b",
    r"\bme mato$",
    r"\b(?:me hice|me hago|hacerme|me sigo haciendo) (?:cortadas|cortes|heridas)\b",
    r"\bdejar de existir\b",
    r"\b(?:prefiero|preferiria|quisiera|sigo queriendo|queriendo) (?:morir|morirme|estar muert[oa])\b",
    r"\bya no (?:voy a|vas a) (?:ser|estar)\b",
    r"\bser una carga\b",
    r"\bno volver a (?:levantarme|despertar|despertarme|abrir los ojos)\b",
    r"\bseguro de vida\b",
    r"\bregal(?:e|ando|are) (?:mis|todas mis|todo)\b",
    r"\bya no (?:las|los|lo|la) ?(?:voy a )?necesitar\b",
    r"\bme (?:corte|quemo|queme|corto|pego|pegue|golpeo|golpee|lastimo|lastime)"
    r" (?:otra vez|de nuevo|a proposito|el brazo|los brazos|las munecas|las piernas|la cabeza"
    r"|mis brazos|la pierna)\b",
    r"\b(?:un plan y una fecha|una fecha y un plan|escogi la fecha|ya tengo la fecha|ya tengo un plan)"
    r"\b(?! (?:de|del|pa|para) (?:el |la |mi )?(?:examen|ptce|ptcb|cita|entrevista|clase|curso"
    r"|renovacion|certific\w*|licencia|trabajo|estudio\w*|estudiar|carrera|ahorro|pagos?"
    r"|salud|seguro|vacaciones|mudanza))",
    r"\bme quiero ir (?:pa|para) siempre\b",
    r"\bme (?:lastimo|corto|quemo|pego|hago da[nñ]o) a proposito\b",
    r"\b(?:hoy|esta noche|manana|mañana) lo hago\b",
    r"\bno (?:amanezca|amanecer|despierte)\b",
    r"\bpa(?:ra)? cuando me decida\b",
    r"\btestamento\b",
    r"\bya sabran (?:xq|por que|porque|pq)\b",
    r"\bestrellar(?:me)? (?:el|mi) (?:carro|coche|auto|camioneta)\b",
    r"\bq(?:ue)? me muera\b",
    r"\bsi me muero\b",
    r"\bmotor prendido\b",
    r"\b(?:antes de )?acabar(?:la|me)\b",
    r"\bya no le sigo\b",
    r"\bquitar(?:me)? del camino\b",
    r"\bdeje (?:\w+ ){0,10}una nota\b",
    r"\bya no voy a estar\b",
    r"\b(?:guardando|juntando|ahorrando|escondiendo|acumulando) (?:mis |las |unas )?"
    + PILLS_ES + r"\b",
    r"\bcuant[oa]s? (?:necesito|me hacen falta|ocupo|me tomaria)\b",
    r"\bpa(?:ra)? (?:que|q) (?:sigo viviendo|seguir viviendo|vivo|sigo aqui|seguir)\b",
    r"\b(?:planeando|planeo|planear) mi salida\b",
    r"\b(?:tener|tengo) una salida (?:cuando|pa|para)\b",
    r"\b(?:aguantar|seguir|estar) (?:seguir )?viv[oa]\b",
    r"\b(?:mi )?ultimo mensaje\b",
    r"\bno me veo (?:viv[oa]|en el futuro|aqui el proximo|el proximo ano)\b",
    r"\bhart[oa] de (?:la vida|vivir|estar viv[oa])\b" + WHOLE_LIFE_ES,
    r"\bpa(?:ra)? cuando (?:ya )?no (?:este|estoy|exista)\b",
    r"\bcomo lo haria\b",
    r"\bme estoy despidiendo\b",
    r"\bojala ya no\b",
    r"\bsigo despertando\b",
    r"\bno (?:voy a llegar|creo (?:q|que) llegue) (?:a|al|hasta)\b",
    r"\bescribi (?:mi |unas |otras |las )?cartas?\b(?! de (?:renuncia|recomendacion|presentacion))",
    r"\bir(?:me)? de este mundo\b",
    r"\bya no quiero estar (?:aca|aqui|en este mundo)\b",
    r"\bni en la tierra\b",
    r"\bmas facil no (?:estar|existir|despertar|seguir|vivir)\b",
    r"\besperando (?:pa|para) (?:irme|ir con|morir|dejar de)\b",
    r"\buna razon pa(?:ra)? dejar de\b",
    r"\bno (?:pienso|voy a) estar aqui\b",
    r"\bme (?:rasguño|rasguno|rasguñe|rasgune|arano|arañe)\b",
    r"\bya he pensado en (?:\w+ ){0,3}(?:morir|matarme|quitarme|acabar|no despertar|desaparecer"
    r"|tomarme)\b",
    r"\b(?:cual|cuales|cuanta|cuantas|cuanto) (?:\w+ ){0,3}(?:necesitaria|me mataria|seria mortal"
    r"|son mortales)\b",
    # warning signs without the words "morir" or "suicidio": means kept ready, affairs put in
    # order, self-injury, a decision taken
    r"\b(?:guardad[oa]s|juntad[oa]s|escondid[oa]s|ahorrad[oa]s)\b(?: \w+){0,6} por si acaso\b",
    r"\b(?:tengo|traigo) (?:guardad[oa]s|juntad[oa]s|escondid[oa]s) (?:como |unas |unos )?\d+\b",
    r"\b" + PILLS_ES + r" que (?:he estado|estoy|llevo|e estado|eh estado) (?:juntando|guardando"
    r"|ahorrando|escondiendo)\b",
    r"\b(?:guardando|juntando|escondiendo) (?:la|las|el|los|mis) \w+ (?:de|que) (?:mi|me) (?:receta"
    r"|recetaron)\b",
    r"\btomarmel[oa]s? tod[oa]s?\b",
    r"\b(?:inyectarme|tomarme|tragarme) (?:toda|todas|todo|todos) (?:la|las|el|los|mis) \w+\b",
    r"\bya tengo (?:las |los )?(?:suficientes|bastantes)\b",
    r"\bme (?:corte|queme|cortaba|quemaba|rasgue) (?:bien |muy |otra vez |de nuevo )*(?:hondo"
    r"|profundo|los brazos|las munecas|el brazo|la muneca|las piernas|los muslos|la piel"
    r"|con (?:un |el )?(?:encendedor|cigarro|navaja|cuchilla|rastrillo))\b",
    r"\bcuando ya no (?:este|estar|exista)\b",
    r"\bya no (?:voy a|vaya a) (?:necesitar|ocupar) (?:nada|mis cosas|esto)\b",
    r"\b(?:esta es|es|sera) mi ultim[ao] (?:semana|dia|noche)\b(?! (?:en|de|con) )",
    r"\bya (?:tengo|esta|tengo ya) todo (?:listo|preparado|planeado|decidido)\b",
    r"\b(?:hoy|esta noche|manana|hoy en la noche) lo hago\b",
    r"\bdeje (?:pagado|arreglado|en orden|resuelto) todo\b",
    r"\bpara que nadie tenga que (?:hacerse cargo|pagar|encargarse)\b",
    r"\b(?:ya no existir|dejar de existir|no existir mas)\b",
    r"\b(?:carro|coche|motor|auto) prendido\b(?=.*\b(?:cochera|garage|garaje)\b)",
    r"\b(?:cochera|garage|garaje)\b.*\b(?:carro|coche|motor|auto) prendido\b",
    r"\bcuant[oa]s (?:\w+ )?(?:necesitaria|ocuparia|harian falta)\b",
    r"\btengo (?:una |la )?(?:soga|cuerda|pistola|navaja)\b.*\b(?:no dejo de|pienso|verla|usarla"
    r"|lista|guardada|escondida)\b",
    r"\btengo (?:las|mis) " + PILLS_ES + r" (?:aqui|aca|enfrente|en la mano|listas)\b",
    r"\bme da miedo lo (?:que|q) (?:voy a|pueda) hacer(?:me)?\b",
    r"\bya lo decidi\b.*\b(?:antes|alguien lo supiera|despedir|adios|nadie)\b",
    r"\bno creo (?:que|q) (?:este|siga|vaya a estar) aqui (?:mucho|por mucho) tiempo\b",
    r"\bno veo futuro (?:pa|para) mi\b",
    r"\b(?:chocar|estrellar|aventar) (?:el|mi) (?:carro|coche|auto|camion)\b.*\bparezca (?:un )?accidente\b",
    r"\b(?:letal|letales|mortal|mortales) en dosis\b(?=.*\b(?:tengo acceso|no deberia|para mi)\b)",
    r"\bbuscando (?:que|q|cuales) (?:medicamentos|pastillas|medicinas) (?:\w+ ){0,4}(?:son )?(?:letales|mortales)\b",
    # pills gathered, said of oneself or (by the subject before) of someone else: "ya junte
    # suficientes pastillas", "un paciente me dijo q ya junto suficientes pastillas"
    r"\b(?:junte|junto|guarde|guardo|he juntado|he guardado|ya tengo guardadas)"
    r" (?:suficientes|muchas|bastantes|todas (?:mis |sus |las )?) ?" + PILLS_ES + r"\b",
    # by meaning class, in this project's own words: means made ready, a day chosen, letters
    # and things given away, no future, self-injury by burning
    r"\b" + PILLS_ES + r" (?:contadas|listas|separadas|preparadas) (?:pa|para|desde)\b",
    r"\b(?:compre|consegui|me compre|ya tengo) (?:una |la )?(?:soga|cuerda|pistola)\b",
    r"\b(?:escogi|elegi|ya escogi|ya elegi|decidi) (?:el|la) (?:dia|fecha)\b(?! (?:de|del|pa|para) )",
    r"\bdeje (?:unas |mis |las )?cartas (?:a|para|pa)\b",
    r"\bregale (?:a )?(?:mi|mis) (?:perr[oa]s?|gat[oa]s?|mascotas?|cosas|carro|coche|ropa)\b",
    r"\bno (?:le )?veo (?:ningun )?futuro (?:a nada|pa(?:ra)? mi|a mi vida|en nada|a seguir)\b",
    r"\bpa(?:ra)? (?:que|q) sigo$",
    r"\bme (?:quemo|queme|quemaba|corto|corte|rasguño|rasguno) con (?:un |el |una |la )?"
    r"(?:encendedor|cigarro|cigarrillo|navaja|cuchilla|rastrillo|vidrio|plancha)\b",
    # --- by meaning class, in the verb forms people type (quiero, quisiera, queria, me voy a,
    # pienso, he pensado, ando pensando), tolerant of misspellings ---
    # suicide words and their misspellings ("zuicidarme", "suicidas", "suicdio")
    NOT_TRAINING_ES + r"\b[sz][uo]+i?[cs]+i?d(?:arme|ar me|ario|io|ios|as|os)\b(?! (?:laboral|profesional"
    r"|financiero|social|de (?:carrera|cuenta)))",
    r"\bpensamientos (?:suicidas|de (?:muerte|morir|matarme|quitarme la vida|suicidio))\b",
    # wanting to die, not to live, not to wake up
    r"\b" + WANT_ES + r" (?:ya )?(?:morir|morirme|morime|morirm|murirme|estar muert[oa]|no estar"
    r" viv[oa]|no vivir|no existir|dejar de vivir|dejar de existir|ya no despertar|no despertar"
    r"|no despertarme|dormir y no despertar|dormirme y no despertar|dormir para siempre"
    r"|irme de este mundo|irme para siempre|desaparecer para siempre|desaparecer de este mundo)\b",
    r"\b(?:ya )?no (?:quiero|kiero|qiero|quisiera|queria|tengo ganas de|me dan ganas de) (?:ni )?"
    r"(?:estar viv[oa]|seguir viv[oa]|seguir aqui|seguir en este mundo|existir|vivir|despertar"
    r"|amanecer|abrir los ojos|ver otro dia|ver otro amanecer|ver el sol)\b",
    r"\bojala (?:ya )?(?:me muriera|me muera|me mueriera|no despierte|no despertara|no amanezca"
    r"|no amaneciera|me atropellen|me atropellara|me diera algo y me muriera|no hubiera nacido"
    r"|nunca hubiera nacido|me llevara la muerte|me pase algo y ya)\b",
    r"\b(?:quisiera|quiero|deseo) (?:no )?haber (?:nacido|nacido nunca)\b",
    # acts and means, said of oneself: pills, hanging, jumping, cutting, a gun, a car, poison
    r"\b(?:colgarme|colgar me)\b(?! (?:el|la|los|las) (?:telefono|llamada|cel|celular))",
    r"\bme (?:quiero|kiero|voy a|pienso|iba a|dan ganas de) (?:colgar|ahorcar)\b(?! (?:el|la)"
    r" (?:telefono|llamada|cel))",
    r"\b(?:envenenarme|envenenar me|me quiero envenenar|me voy a envenenar)\b",
    r"\b(?:pegarme|darme|meterme|echarme) un (?:tiro|balazo|plomazo|disparo|balaso)\b",
    r"\b(?:volarme|reventarme|me (?:voy a|quiero|pienso|iba a) (?:volar|reventar)) (?:la cabeza"
    r"|los sesos)\b",
    r"\bquitarme de en medio\b",
    # the act in the present, future and conditional ("me quito la vida", "me suicido")
    r"\bme (?:quito|quitare|quite|quitaria) la vida\b",
    r"\bme (?:suicido|suicidare|suicidaria|suicide|matare|ahorcare|ahorco|colgare|envenenare)\b",
    r"\bme mato (?:y ya|de una vez|hoy|esta noche|manana|ya|si (?:no|repruebo|me corren|me dejan|pierdo))"
    r"\b",
    r"\b(?:ahogarme|asfixiarme|sofocarme)\b(?! (?:de|en|con) (?:trabajo|deudas|estres|tareas"
    r"|responsabilidades|tanto|la chamba|el trabajo))",
    r"\b" + WANT_ES + r" (?:ya )?dejar de respirar\b",
    r"\bdejar de tomar (?:mi|mis) \w+ (?:a proposito|pa morir|para morir|pa (?:q|que) (?:me pase"
    r"|se acabe|ya))\b",
    r"\bme (?:hago|hice|sigo haciendo) moretones\b",
    r"\b(?:carro|coche|motor|auto) (?:encendido|prendido)\b(?=.*\b(?:cochera|garage|garaje"
    r"|cerrad[oa])\b)",
    r"\bme (?:quiero|voy a|pienso|iba a) (?:pegar|dar|meter) un (?:tiro|balazo|plomazo|disparo)\b",
    r"\b(?:cortarme|abrirme|me corto|me corte|me quiero cortar|me voy a cortar) las venas\b",
    r"\b" + JUMP_ES + r"\b",
    r"\b(?:tirarme|aventarme|lanzarme|echarme|atravesarme) (?:a|al|enfrente de|enfrente del|frente a"
    r"|frente al|debajo de|bajo) (?:un |el |la |los )?(?:tren|metro|carro|camion|trailer|bus"
    r"|autobus|trafico|traila)\b",
    r"\b(?:tomarme|hacerme|darme|meterme|provocarme|me (?:quiero |kiero |voy a |pienso |iba a"
    r" |quisiera )?(?:tomar|hacer|dar|meter|provocar)) (?:una )?sobre ?dosis\b",
    r"\bcuant[oa]s (?:\w+ )?(?:tomarme|me tengo que tomar|me tomaria|tendria que tomarme"
    r"|necesito (?:pa|para) (?:no despertar|morir|que sea)|son mortales|es mortal)\b",
    r"\b(?:ya )?se (?:cuantas|cuantos|cuales|que) (?:\w+ ){0,2}(?:tomarme|tragarme|usar pa"
    r"|me tomaria)\b",
    r"\b(?:no creo|no se si|dudo) (?:q|que)? ?(?:siga|este|vaya a estar|vaya a seguir|llegue)"
    r" (?:viv[oa]|aqui|con vida|en este mundo)\b",
    r"\b(?:siga|seguir|este|sigo) viv[oa] (?:pa|para) (?:verlo|entonces|ese dia|cuando|la otra"
    r"|el otro|fin de)\b",
    r"\bme (?:corte|lastime|queme|hice da[nñ]o|rasgune|pegue) (?:otra vez |de nuevo )?en el"
    r" ba[nñ]o\b(?! con (?:un|una|el|la) (?:vidrio|caja|lata|cuchillo|tijeras|papel|cutter))",
    r"\b" + WANT_ES + r" (?:una )?sobre ?dosis\b",
    r"\b(?:tomarme|tragarme|beberme|meterme) (?:toda |todas |todo |el |la |un |una )?(?:\w+ )?"
    r"(?:de )?(?:las |mis |los )?(?:" + PILLS_ES[3:-1] + r"|veneno|cloro|raticida|insulina)"
    r" (?:pa|para|y) (?:morir|no despertar|ya no|acabar|dormir para siempre|que todo)\b",
    r"\b(?:estrellarme|chocar a proposito|estrellar el carro a proposito|chocar el carro a proposito"
    r"|meterme al trafico|atravesarme en la autopista)\b",
    r"\b(?:estrellar|chocar|aventar)(?:me)? (?:el |mi )?(?:carro|coche|auto|troca|camioneta)?"
    r" ?(?:contra|en) (?:un |una |el |la )?(?:poste|pared|muro|arbol|puente|trailer|camion)"
    r"(?: (?:a proposito|apropos\w*|pa|para))?\b(?! sin querer| por accidente)",
    # self-harm, past and present ("me volvi a cortar", "me lastimo", "sigo cortandome")
    r"\b(?:cortandome|lastimandome|rasgu[nñ]andome|quemandome a proposito|golpeandome|haciendome"
    r" da[nñ]o|haciendome cortadas)\b" + AT_WORK_ES,
    r"\bme (?:volvi a|vuelvo a|sigo|he vuelto a|volvere a|voy a volver a) (?:cortar|lastimar"
    r"|quemar|hacer da[nñ]o|rasgu[nñ]ar|golpear)\b" + AT_WORK_ES,
    r"\b(?:volvi a|vuelvo a|sigo|ganas de|quiero|kiero|quisiera) (?:cortarme|lastimarme|quemarme"
    r"|hacerme da[nñ]o|hacerme cortadas|golpearme)\b" + AT_WORK_ES,
    r"\bme (?:lastimo|lastime|corto|corte|quemo|queme|golpeo|pego) (?:yo )?(?:mism[oa] )?(?:pa"
    r" (?:sentir|calmarme|castigarme)|para (?:sentir|calmarme|castigarme)|cuando me siento"
    r"|cuando estoy (?:triste|mal|sol[oa])|porque me siento|xq me siento|cada vez que me siento"
    r"|todas las noches|en las noches|a escondidas)\b",
    r"\bme (?:hago|hice|sigo haciendo|he hecho) (?:da[nñ]o|cortes|cortadas|heridas|quemaduras)\b",
    # a plan, timing, and means made ready ("ya tengo todo planeado", "esta noche")
    r"\b(?:ya )?(?:tengo|esta|tengo ya) todo (?:listo|preparado|planeado|decidido|pensado)"
    r"(?: (?:pa|para) (?:esta noche|hoy|manana|el (?:lunes|martes|miercoles|jueves|viernes"
    r"|sabado|domingo)|cuando))?\b(?! (?:pa|para) (?:el |la |mi )?(?:examen|ptce|ptcb|entrevista"
    r"|clase|curso|mudanza|viaje|fiesta|boda))",
    r"\b(?:esta noche|hoy en la noche|hoy|manana|el (?:viernes|sabado|domingo|lunes)) (?:lo hago"
    r"|me mato|me voy|se acaba todo|termina todo|acabo con todo|es el dia|es la noche)\b",
    r"\b(?:esta es|es|sera|va a ser) mi ultim[ao] (?:noche|dia)\b(?! (?:en|de|con|trabajando"
    r"|de trabajo|en la farmacia|en cvs|en walgreens))",
    r"\bya (?:lo )?(?:decidi|tengo decidido)\b(?= (?:\w+ ){0,3}(?:me voy|irme|acabar|hoy|esta noche"
    r"|manana|no hay vuelta|de este mundo|ya no))",
    r"\b(?:tengo|traigo|compre|consegui|guarde) (?:una |la |un |el )?(?:soga|cuerda|pistola|arma"
    r"|navaja|cuchilla|raticida|veneno)\b(?= (?:\w+ ){0,4}(?:pa|para) (?:mi|matarme|cuando|usarla"
    r"|hacerlo|acabar|esta noche|hoy)\b)",
    # pills taken or kept on purpose ("ya tengo las pastillas guardadas"), by whoever the
    # clause is about
    r"\b(?:tome|tomo|trague|trago|me tome|me trague|se tomo|se trago|tomaron) (?:\w+ ){0,5}"
    + PILLS_ES + r" (?:\w+ ){0,3}(?:a proposito|apropos\w*|pa morir|para morir|pa no despertar"
    r"|para no despertar|pa matarse|para matarse|pa matarme|para matarme)\b",
    r"\b(?:ya )?(?:tengo|traigo|junte|guarde) (?:\w+ ){0,3}" + PILLS_ES + r" (?:\w+ )?(?:guardad\w+"
    r"|juntad\w+|escondid\w+|acumulad\w+|ahorrad\w+|contad\w+|separad\w+|suficientes)\b"
    r"(?! (?:en|pa|para) (?:el|la|los) (?:gabinete|botiquin|cocina|trabajo|dolor|viaje|mes))",
    r"\b(?:cuando|pa cuando|para cuando|si) (?:yo )?(?:ya )?no (?:este|estar|exista|existir"
    r"|estuviera)\b(?! (?:en|de|trabajando|ocupad\w+|disponible|en casa|aqui (?:el|la|manana"
    r"|en la manana)))",
    # goodbyes, letters, things given away
    r"\b(?:este es|esto es|es) (?:mi )?(?:adios|despedida|ultimo mensaje)\b",
    r"\b(?:les|le) (?:deje|escribi|dejo|estoy escribiendo) (?:una |unas |mis |las |otra )?cartas?"
    r" (?:a|para|pa) (?:mis|mi) (?:hij[oa]s?|papas|padres|mama|papa|familia|esposo|esposa|herman"
    r"[oa]s?|novi[oa]|abuel[oa]s?)\b",
    r"\b(?:escribi|deje|estoy escribiendo|dejo) (?:una |unas |mis |las )?cartas? (?:a|para|pa)"
    r" (?:mis|mi) (?:hij[oa]s?|papas|padres|familia) (?:por si|pa cuando|para cuando|despidiendome)\b",
    r"\b(?:regale|regalando|estoy regalando|ya regale|le regale|les regale|ya di|di) (?:todas )?"
    r"(?:mis )?(?:cosas|ropa|perr[oa]|gat[oa]|mascotas?|pertenencias|joyas|carro|troca)\b"
    r"(?= (?:\w+ ){0,6}(?:no (?:las|los|lo|la) (?:voy a )?(?:ocupar|necesitar)|ya no|por si|pa cuando"
    r"|para cuando|despues de)\b)",
    r"\bya no (?:las|los|lo|la|me) (?:voy a )?(?:ocupar|necesitar|hacer falta)\b",
    r"\b(?:me despedi|ya me despedi|me estoy despidiendo|despidiendome|vengo a despedirme"
    r"|quiero despedirme) (?:de )?(?:todos|todo el mundo|mi familia|ustedes|de ti|de mis)\b",
    r"\bgracias por todo(?:,| y)? (?:adios|ya no|los quiero|perdon|perdonen)\b",
    # a burden: "todos estarian mejor sin mi", "soy una carga pa mis hijos"
    r"\b(?:soy|seria|me siento|siento q soy|siento que soy) (?:una |un |puro |pura )?(?:carga"
    r"|estorbo|problema) (?:pa|para|a) (?:todos|todo el mundo|mi |mis |la familia|ellos|mi familia)",
    r"\b(?:todos|todo el mundo|mi familia|mis hijos|mi mama|mis papas|el mundo|la gente)"
    r" (?:\w+ )?(?:estarian|estaria|estara|estaran|vivirian|viviria|seria|serian|van a estar"
    r"|va a estar|vivirán|van a vivir) (?:\w+ )?"
    r"(?:mejor|mas feliz|mas felices|tranquil[oa]s?) (?:sin mi|si (?:yo )?(?:no estuviera|me muero"
    r"|me muriera|no existiera|desapareciera))\b",
    r"\bsin mi (?:todos|todo|estarian|estaria|seria) (?:\w+ )?(?:mejor|mas facil|mas feliz)\b",
    # no way out, no future, no reason to live
    r"\b(?:la |mi )?vida no (?:tiene|le veo|le encuentro) (?:ningun |ni )?(?:sentido|caso|razon"
    r"|chiste)\b",
    r"\b(?:no|ya no|ni) (?:tengo|encuentro|veo|hay|me queda|me quedan|le veo|le encuentro)"
    r" (?:\w+ ){0,2}(?:sentido|razon|razones|motivo|motivos|caso|ganas|porque) (?:pa |para |de"
    r" |a |en |pa' )?(?:vivir|seguir viviendo|seguir viv[oa]|la vida|mi vida|estar viv[oa]"
    r"|existir|seguir aqui|seguir en este mundo|levantarme)\b",
    r"\b(?:no hay|no veo|no encuentro|no tengo) (?:otra )?salida\b(?! (?:de|del|en|pa|para) (?:la"
    r" |el |este |esta )?(?:farmacia|trabajo|retail|turno|chamba|estacionamiento|emergencia"
    r"|incendios?|tienda|edificio|hospital|bodega|carro|clinica))",
    r"\b(?:no tengo|no le veo|sin) futuro\b(?= (?:\w+ ){0,3}(?:mejor|morir|ni ganas|pa que|para que"
    r"|ya no|desaparecer|vivir)\b)",
    r"\bmejor (?:desaparecer|desaparezco|me desaparezco|morirme|me muero|estar muert[oa]|ya no"
    r" estar|no existir|me voy de este mundo)\b",
    r"\b(?:no|ni) (?:voy a|vaya a|creo q voy a|creo que voy a|se si voy a|se si vaya a|pienso)"
    r" (?:estar|seguir) (?:aqui|aca|viv[oa]|en este mundo|con vida)\b(?! (?:manana|el |la |los"
    r" |las |en |esta semana|hoy|el dia))",
    r"\b(?:renunciar|rendirme|me rindo|me rendi|me doy por vencid[oa]) (?:a|de|con|en) (?:la|mi)"
    r" vida\b|\brenunciar\b.* y a la vida\b",
    r"^(?:ya )?lo (?:voy a|pienso|vo a) hacer (?:hoy|esta noche|manana|ya)$",
    r"\bya me (?:rendi|canse) de (?:vivir|la vida|todo y de todos|luchar contra todo)\b",
    # a passive wish to be dead ("quisiera q me atropellara un camion", "me da igual vivir o
    # morir", "no deberia existir")
    r"\b(?:quisiera|quiero|ojala|deseo|me gustaria|a veces quiero|rezo) (?:q|que) (?:me )?(?:atropell\w+"
    r"|mat\w+|diera algo y|pasara algo y|llev\w+ (?:la muerte|dios|diosito))\b",
    r"\bojala (?:q |que )?(?:me atropell\w+|no me (?:despierte|despertara|levante)|me muera)\b",
    r"\b(?:me da igual|me vale|no me importa|me da lo mismo) (?:\w+ )?(?:vivir o morir|morir o vivir"
    r"|si vivo o (?:si )?muero|si me muero|morirme|estar viv[oa] o muert[oa])\b",
    r"\bno (?:deberia|debi|debo|merezco) (?:\w+ )?(?:existir|estar viv[oa]|estar aqui|haber nacido"
    r"|seguir viv[oa]|vivir|seguir aqui|seguir en este mundo|estar en este mundo)\b",
    r"\b(?:a ver si|pa ver si|para ver si|esperando (?:q|que)) (?:ya )?no (?:despert\w+|amanec\w+"
    r"|me despert\w+|vuelvo a despertar)\b",
    r"\b(?:investigue|busque|googlee|averigue|investigando|buscando|buscaba) (?:\w+ ){0,2}cuant[oa]s"
    r" (?:" + PILLS_ES[3:-1] + r"|\w+ de (?:tylenol|xanax|insulina|\w+))(?: \w+){0,4} (?:se necesitan"
    r"|necesito|hacen falta|son mortales|son letales|matan|serian suficientes|son demasiad[oa]s)\b",
    r"\bsi (?:me muero|desaparezco|me voy|ya no estoy|me mato) nadie (?:se )?(?:da|daria|va a dar)"
    r" cuenta\b",
    r"\b(?:a punto de|casi|estuve por|quise|intente|trate de) (?:tirarme|aventarme|lanzarme|brincar"
    r"|saltar|colgarme|ahorcarme|cortarme|matarme|quitarme la vida)\b",
    r"\b(?:q|que) (?:ya )?(?:todo se (?:acabe|termine)|se (?:acabe|termine) todo|acabe todo"
    r"|termine todo)\b(?! (?:el|la|este|esta|mi) )",
    r"\bno (?:me )?(?:quiero|kiero|quisiera) (?:volver a )?(?:levantar|levantarme|despertar"
    r"|despertarme) (?:\w+ )?(?:nunca mas|jamas|mas nunca|nunca)\b",
    r"\b(?:irme|estar|reunirme|descansar) (?:con (?:mi |mis )?(?:\w+ )?)?(?:al|en el) cielo\b",
    r"\b(?:quiero|quisiera|ya quiero) irme con (?:dios|diosito|mi (?:mama|papa|abuelit[oa]|hij[oa]))"
    r"\b(?! (?:a|al|de) )",
    r"\b(?:list[oa]|preparad[oa]) (?:pa|para) (?:irme|partir|morir|despedirme)$",
    r"\bnadie (?:me )?(?:va|iba|ira) a (?:extra[nñ]ar|notar|llorar|buscar|echar de menos)\b",
    r"\ba nadie le (?:importaria|va a importar|importa|importara) (?:si|que|q) (?:me muero|me muera"
    r"|desaparezco|desapareciera|ya no estoy|ya no estuviera|no estoy|me mato)\b",
    r"\b(?:miedo de|miedo a|a punto de|pensando en) (?:hacer|cometer) (?:una |algo )?(?:locura"
    r"|tonteria|estupidez|algo malo|algo de lo que)\b",
    r"\b(?:ya )?no puedo seguir (?:viviendo|con vida|adelante$|mas$)",
    r"\b(?:quiero|quisiera|ganas de) desaparecer\b",
    r"\b(?:meterme|echarme|atravesarme) (?:debajo de|bajo|enfrente de|frente a|a) (?:un |el |la )?"
    r"(?:tren|metro|carro|camion|trailer|traila|bus|autobus|trafico)\b",
    r"\b(?:q|que) hagan con mis (?:cosas|pertenencias|mascotas|perr[oa]s?|gat[oa]s?|hijos)\b",
    r"\b(?:me pego|me golpeo|me pegue|me golpee) (?:\w+ )?(?:la cabeza )?contra (?:la |el )?"
    r"(?:pared|piso|muro|espejo)\b",
    # not wanting to be here any more, no future, done fighting
    r"\bno (?:quiero|kiero|qiero|quisiera|deseo) (?:estar|seguir|quedarme) (?:ya )?(?:mas )?(?:aqui"
    r"|aca|en este mundo|viv[oa]|con vida)\b(?! (?:en|con|de) (?:el|la|este|esta|mi) )",
    r"\b(?:ya )?nada (?:tiene sentido|vale la pena)\b(?! (?:en|de|con) (?:el|la|este|esta|mi|los"
    r"|las) (?:trabajo|farmacia|chamba|retail|examen|ptce|turno|empresa|seguro|sistema|jale)\w*)",
    r"\b(?:ya )?no hay nada (?:pa|para) mi (?:aqui|aca|en este mundo|en esta vida)\b",
    r"\bcansad[oa] de (?:luchar|seguir luchando|sufrir|seguir)$",
    r"\b(?:les|le) (?:haria|hago|voy a hacer|haré) un favor (?:a todos )?(?:si|al|cuando) (?:me voy"
    r"|me muero|desaparezco|ya no estoy|me mato|irme|morirme|desaparecer)\b",
    r"\bno (?:tengo ganas de|me dan ganas de|quisiera|kiero|qiero|deseo) seguir$",
    r"\bno (?:quiero|quisiera|tengo ganas de) seguir (?:en esta vida|viviendo esta vida|en este"
    r" mundo|aqui en la tierra|en esta (?:pinche |maldita )?(?:vaina|mierda|vida))\b",
    r"\bme (?:imagino|veo|sue[nñ]o) (?:\w+ )?(?:colgad[oa]|ahorcad[oa]|en un ataud|muert[oa]"
    r"|enterrad[oa])\b",
    r"\b" + WANT_ES + r" (?:tomar|tomarme|beber|beberme|tragarme) (?:\w+ )?(?:cloro|veneno|raticida"
    r"|anticongelante|insecticida|acido|matarratas)\b",
    r"\b(?:escogi|elegi|decidi|ya tengo|ya se) (?:el lugar|la hora|el metodo|donde y como"
    r"|como lo voy a hacer)\b",
    r"\b(?:deje|grabe|les deje) (?:un |mi )?video (?:de despedida|pa cuando|para cuando|pa mis"
    r"|para mis|por si)\b",
    r"\b(?:soy|me siento) (?:solo |nomas |pura )?(?:una |un )?(?:carga|estorbo)$",
    r"\bno (?:le )?(?:veo|encuentro) (?:ninguna |otra )?salida (?:a (?:mi vida|nada|esto)|$)",
    r"\bme (?:\w+ ){1,3}hasta (?:sangrar|que (?:me )?sangr\w+|hacerme sangre|sacarme sangre)\b",
    # not waking up, leaving this world, the pain to end
    r"\bno me (?:deje|dejes|deja|dejara) (?:volver a )?despertar\b",
    r"\b(?:q|que) (?:ya )?no (?:me )?(?:despierte|despertara|vuelva a despertar)\b",
    r"\bir(?:me)? de (?:este|esta) (?:\w+ )?(?:mundo|vida|tierra)\b(?! (?:laboral|de (?:tecnic"
    r"|farmac|retail|trabajo)\w*))",
    r"\b(?:quiero|quisiera|ojala) (?:q|que) (?:ya )?(?:se acabe|termine|pare|se termine)"
    r" (?:de una vez|ya|para siempre|pa siempre|este dolor|el dolor|todo)?$",
    r"\b(?:acabar|terminar) con (?:este|el|tanto) (?:dolor|sufrimiento)\b",
    r"\bojala (?:\w+ ){1,6}(?:me muriera|me muera|me matara|me mate|no despierte|no despertara"
    r"|me llevara)\b",
    # means at hand, methods looked up
    r"\b(?:no se si|pensando si|pensando en|ganas de) tomarmel[oa]s\b",
    r"\btengo (?:las|mis|unas) " + PILLS_ES + r" (?:en la mesa|junto a mi|al lado|en la cama"
    r"|conmigo)\b",
    r"\b(?:buscando|busque|busco|buscaba|googlee|googleando|investigando|investigue|leyendo|lei)"
    r" (?:\w+ ){0,3}(?:como|formas de|maneras de|la forma de|q tanto|cuanto) (?:matarse|suicidarse"
    r"|ahorcarse|colgarse|morir|quitarse la vida|cortarse|envenenarse|tomar una sobredosis|matarme"
    r"|suicidarme|ahorcarme|es mortal|es letal|se necesita pa morir|se necesita para morir)\b",
    r"\b(?:usar|usarl[oa]s?) (?:\w+ )?(?:conmigo|contra mi|en mi mism[oa])\b(?! (?:trabajo|casa"
    r"|farmacia))",
    r"\bme (?:corte|cortaba|corto|queme|rasgue|rasguñe) (?:\w+ ){0,3}(?:las munecas|la muneca"
    r"|los brazos|las piernas|los muslos|la panza|el abdomen)\b",
    r"\b(?:hice|escribi|termine) (?:mi|la|las|mis) cartas?$",
    r"\b(?:solo )?(?:me )?falta (?:decidir|escoger|elegir) (?:el dia|la fecha|cuando|como|el lugar)\b",
    # more ways of saying it: "hacerme algo", "atentar contra mi vida", "mejor muerta",
    # "me arrepiento de haber nacido", "ya no tengo fuerzas pa seguir"
    r"\b(?:hacerme algo|me voy a hacer algo|me vaya a hacer algo|me haga algo)\b",
    r"\batent(?:ar|e|o|ando) contra mi (?:vida|mism[oa])\b",
    r"\b(?:estaria|estaria yo|estoy|seria) mejor muert[oa]\b",
    r"\bmejor (?:no estar|ya no estar|estar muert[oa]|no haber nacido)\b",
    r"\b(?:me arrepiento de|maldigo el dia en (?:q|que)|odio haber) (?:haber )?naci\w*\b",
    r"\bla vida no es (?:pa|para) mi\b",
    r"\bno (?:le )?(?:hallo|veo|encuentro) (?:ningun )?(?:sentido|chiste|proposito|razon|caso)"
    r" (?:a |de |en )?(?:la vida|mi vida|vivir|seguir|nada|existir)\b",
    r"\b(?:hart[oa]|cansad[oa]) de (?:existir|respirar|despertar)\b",
    r"\bno tengo (?:fuerzas|energia|ganas) (?:pa|para|de) seguir(?: viviendo| adelante| viv[oa])?$",
    r"\b(?:terminar|acabar|quitar) mi vida\b|\bse acabe mi vida\b",
    r"\bno quiero (?:q|que) (?:amanezca|llegue manana|llegue otro dia)\b",
    r"\b(?:pienso|pensando|pense|he pensado|pensar|piensa) en (?:ya )?(?:no estar|no existir"
    r"|desaparecer|no seguir|dejar de estar|irme para siempre|no volver|ya no estar)\b",
    r"\b(?:no|ya no|ni) (?:tengo|encuentro|veo|hay|me queda|me quedan|le veo|le encuentro|hallo)"
    r" (?:\w+ ){0,2}(?:sentido|razon|razones|motivo|motivos|caso|ganas|porque) (?:pa|para|de|en)"
    r" seguir(?: adelante)?$",
    r"\bhacer algo (?:q|que) no tiene (?:vuelta atras|remedio|regreso)\b",
    r"\b" + WANT_ES + r" (?:ya )?descansar (?:en paz|para siempre|pa siempre|de esta vida)\b",
    r"\bdormir(?:me)? y (?:ya )?no (?:levantarme|volver a levantarme|despertar(?:me)?|volver)\b",
    # goodbyes as notes say them ("no me busquen", "la ultima vez que me ven")
    r"\bno me (?:busquen|busques|vayan a buscar)\b",
    r"\b(?:diganle|dile|digan) a (?:mi|mis) (?:\w+ ){1,2}(?:q|que) (?:la|lo|los|las) (?:quiero|amo"
    r"|quise)\b",
    r"\b(?:la )?ultima vez (?:q|que) (?:me ven|me van a ver|escribo|les escribo|hablo con|me leen"
    r"|saben de mi)\b",
    r"\bya no me van a (?:ver|tener que aguantar|tener que cuidar) (?:mas|nunca)\b",
    r"\b(?:se van a librar|van a descansar|van a estar en paz) de mi\b",
    r"\bya no (?:voy a ser|sere|les voy a dar|les doy) (?:una |mas )?(?:molestia|carga|estorbo"
    r"|problemas?|lata)\b",
    # pills taken by the handful, an overdose taken
    r"\b(?:tomarme|tragarme|me voy a tomar|me quiero tomar|me tome|me trague|me tomo)"
    r" (?:un puno|un punado|un chingo|un chorro|un buen|bastantes|toditas|un monton|como \d+)"
    r"(?: de)? (?:las |mis |los )?(?:" + PILLS_ES[3:-1] + r"|\w+)\b",
    r"\bme (?:di|hice|provoque|meti|tome) una sobre ?dosis\b",
    # goodbyes and plans said without the words ("perdonenme por todo", "como y cuando")
    r"\bperdon(?:enme|ame|en) por todo\b(?! (?:el|lo|este|esto|la|esta))",
    r"\b(?:cuiden|cuida|cuidan|cuidenme) (?:a |de )?(?:mi|mis) (?:perr[oa]s?|gat[oa]s?|hij[oa]s?"
    r"|mama|mascotas?) (?:por mi|cuando (?:ya )?no este)\b",
    r"\b(?:los|las|te) (?:quiero|amo) (?:mucho )?(?:a todos )?(?:adios|perdon|perdonenme|gracias por"
    r" todo|nunca lo olviden)\b",
    r"\b(?:como y cuando|cuando y como|el como y el cuando)\b",
    r"\bya (?:lo )?tengo (?:todo )?(?:listo|preparado|planeado|decidido)$",
    # "voy a" / "quiero" + an act, with "me" before the verb ("me quiero aventar")
    r"\b" + ME_WANT_ES + r" (?:matar|suicidar|morir|quitar la vida|envenenar|ahorcar|pegar un tiro"
    r"|cortar las venas)\b",
    r"\b" + ME_WANT_ES + r" " + JUMP_ES + r"\b",
]
OTHER_ES = [
    r"\b(?:ya no va a (?:necesitar|ocupar)|no va a estar aqui|ya no va a estar)\b",
    r"\b(?:matarse|suicidarse|suicidarce|quitarse la vida|hacerse da[nñ]o|hacerse daño|cortarse"
    r"|lastimarse|ahorcarse|tirarse de|aventarse de)\b",
    r"\bse (?:quiere|kiere|queria|va a|piensa|intento|trato de) (?:matar|suicidar|morir|quitar la"
    r" vida|cortar|hacer da[nñ]o|ahorcar|tirar)\b",
    r"\b(?:quiere|kiere|queria|quisiera) (?:morir|morirse|matarse|suicidarse|quitarse la vida"
    r"|estar muert[oa]|desaparecer para siempre)\b",
    r"\bno quiere (?:vivir|seguir viviendo|seguir con vida|existir)\b",
    r"\bse (?:corta|esta cortando|sigue cortando|hace da[nñ]o|esta haciendo da[nñ]o|lastima)\b",
    r"\bintento (?:de )?(?:suicidio|suicidarse|matarse|quitarse la vida)\b",
    # an attempt said as nearly ("mi primo casi se mató anoche")
    r"\b(?:casi|por poco) se (?:mata|mato|suicida|suicido|quita la vida|quito la vida|ahorca"
    r"|ahorco)\b",
    r"\bse (?:tomo|trago|bebio) (?:.* )?" + PILLS_ES + r" (?:a proposito|apropos\w*|para morir"
    r"|para matarse)\b",
    r"\bsu carta de despedida\b",
    r"\b(?:habla|hablo|dice|dijo|menciono|escribio) (?:de|que|sobre) (?:se quiere )?(?:matar"
    r"|morir|suicid|quitarse)\w*",
    r"\bmejor sin (?:el|ella|ellos|ellas)\b",
    r"\bno (?:le )?(?:ve|encuentra) (?:ningun )?(?:sentido|razon|motivo|caso) (?:a |de |para |en )?"
    r"(?:vivir|seguir|la vida|su vida|seguir viviendo|nada)\b",
    r"\bse (?:mata|va a matar)$",
    r"\bdespidiendose de (?:todos|todo el mundo|su familia)\b",
    r"\bse (?:las|lo|los) hace (?:ella|el|sol[oa])\b",
    r"\btiene (?:cortadas|cortes|quemaduras)\b",
    r"\bregal[oó] (?:su|sus)\b",
    r"\bse mata si\b",
    r"\bse va a ir (?:pa|para) siempre\b",
    r"\ben (?:el|ella) mism[oa]\b",
    r"\bse va a tomar tod[oa]s? (?:sus|las|los)\b",
    r"\bparecen despedidas\b",
    r"\bguardando sus\b",
    r"\blist[oa] (?:pa|para) irse\b",
    r"\btiene pensamientos (?:suicidas|de muerte|de matarse)\b",
    # by meaning class: goodbyes, means gathered, a plan
    r"\bse (?:despide|despidio|esta despidiendo|anda despidiendo) de (?:todos|todo el mundo"
    r"|su familia|nosotros|mi)\b",
    r"\b(?:ha juntado|ha guardado|tiene guardadas|tiene juntadas|esta juntando)"
    r" (?:suficientes |muchas |bastantes |todas (?:sus |las )?)?" + PILLS_ES + r"\b",
    r"\bya no aguanta\b.*\b(?:todo|algo) (?:planeado|listo|decidido|preparado)\b",
    # --- by meaning class: the same acts said of a coworker, a patient, a friend, family ---
    r"\b(?:colgarse|envenenarse|ahorcarse|volarse la cabeza|cortarse las venas)\b(?! (?:el|la)"
    r" (?:telefono|llamada|cel))",
    r"\b(?:pegarse|darse|meterse|echarse) un (?:tiro|balazo|plomazo|disparo)\b",
    r"\bse (?:quiere|kiere|queria|quisiera|va a|iba a|piensa|puede|intento|trato de|quizo|quiso)"
    r" (?:colgar|ahorcar|envenenar|pegar un tiro|dar un tiro|cortar las venas|aventar|tirar"
    r"|lanzar|dormir y no despertar|matar|suicidar|morir)\b",
    r"\b(?:tirarse|aventarse|lanzarse|arrojarse|echarse) (?:de|del|desde|al|a|a la|a las|a los"
    r"|frente a|frente al|enfrente de|enfrente del|bajo|debajo de|por)(?: (?:la|el|los|las|un|una"
    r"|su|ese|esa))? (?:\w+ )?" + PLACES_ES + r"\b",
    r"\bse (?:va a|quiere|piensa|iba a) " + JUMP_ES + r"\b",
    r"\b(?:tomarse|tragarse|beberse) (?:todas|todos|toda|todo|el frasco|un frasco|el bote|un bote"
    r"|toda la caja|un monton|un puno|muchas) (?:de )?(?:sus |las |los )?(?:" + PILLS_ES[3:-1]
    + r"|veneno|cloro|raticida|insulina)\b|\b(?:tomarse|tragarse|beberse) (?:el |un )?(?:veneno"
    r"|cloro|raticida)\b",
    r"\b(?:tomarse|hacerse|darse|provocarse) (?:una )?sobre ?dosis\b",
    r"\b(?:quiere|kiere|queria|dice q quiere|dice que quiere|piensa|va a|iba a) (?:tomar|tomarse)"
    r" (?:una )?sobre ?dosis\b",
    r"\bmejor (?:se muere|se mata|morirse|matarse|se quita la vida|desaparece|no existir)\b",
    r"\b(?:ya )?no quiere (?:ni )?(?:estar viv[oa]|seguir viv[oa]|seguir aqui|estar aqui|despertar"
    r"|amanecer|seguir|vivir|existir)\b",
    r"\b(?:quiere|kiere|queria|quisiera) (?:ya )?(?:dormirse y no despertar|no despertar|dejar de"
    r" vivir|dejar de existir|irse de este mundo|desaparecer)\b",
    r"\bregal(?:o|a|ando|ado|aba) (?:todas |toda |todos )?(?:sus|su) (?:cosas|ropa|perr[oa]"
    r"|gat[oa]|mascotas?|pertenencias|joyas|carro|troca|libros|uniformes?|herramientas)\b",
    r"\b(?:se )?(?:esta|anda|andaba|estaba) (?:cortandose|lastimandose|haciendose da[nñ]o"
    r"|quemandose a proposito|despidiendose de todos)\b",
    r"\bse (?:volvio a|vuelve a|sigue|ha vuelto a) (?:cortar|lastimar|hacer da[nñ]o|quemar)\b",
    r"\b(?:es|se siente|dice q es|dice que es) (?:una |un )?(?:carga|estorbo) (?:pa|para) (?:todos"
    r"|su familia|sus hijos|nosotros)\b",
    r"\b(?:todos|su familia|sus hijos|nosotros) (?:estariamos|estarian|estaria|estaremos)"
    r" (?:mejor|mas tranquilos) sin (?:el|ella)\b",
    r"\b(?:tiene|tenia) (?:todo )?(?:planeado|un plan|una fecha) (?:pa|para) (?:matarse|morir"
    r"|suicidarse|quitarse|irse|acabar)\w*",
    r"\b(?:ya )?tiene todo (?:listo|preparado|planeado|decidido) (?:pa|para) (?:irse|matarse"
    r"|morir|acabar|quitarse|hacerlo|esta noche|hoy)\b",
    r"\b(?:me )?(?:dijo|dice|conto|escribio) (?:q|que) ya tiene todo (?:listo|preparado|planeado"
    r"|decidido)\b(?! (?:pa|para) (?:el|la|su|sus|las|los) )",
    r"\b(?:quisiera|quiere|ojala|desea) (?:q|que) (?:la|lo) (?:atropell\w+|matara\w*)\b",
    r"\b(?:sus|los|las) (?:brazos|munecas|piernas|muslos) (?:\w+ )?(?:cortad\w+|con cortad\w+"
    r"|llen\w+ de (?:cortad|cortes|heridas)\w*)\b",
    r"\b(?:cortadas|cortes|heridas) (?:en|por) (?:sus|los|las) (?:brazos|munecas|piernas|muslos)\b",
    r"\bnadie (?:la|lo) (?:va|iba) a (?:extra[nñ]ar|notar|llorar|buscar)\b",
    r"\bnadie (?:la|lo) (?:extra[nñ]aria|notaria|lloraria|buscaria)\b",
    r"\bse (?:esta |sigue |volvio a |anda )?(?:quemando|cortando|rasgu[nñ]ando|golpeando|lastimando"
    r"|quema|corta|rasgu[nñ]a) (?:\w+ )?(?:los|las|el|la|sus|su) (?:brazos|munecas|muneca|piernas"
    r"|muslos|piel|panza)\b",
    r"\b(?:irse|estar|reunirse) (?:con (?:\w+ ){1,3})?(?:al|en el) cielo\b",
    r"\b(?:quiere|quisiera|queria) irse con (?:dios|diosito|su (?:mama|papa|esposo|esposa|hij[oa]))\b",
    r"\b(?:tiene|tenia) miedo de (?:hacer|cometer) (?:una )?(?:locura|tonteria)\b",
    r"\b(?:seria|estariamos|estarian|estaria) mejor si (?:ella|el) (?:se muriera|no estuviera"
    r"|desapareciera|no existiera|se matara)\b",
    r"\b(?:va a|quiere|piensa) (?:estrellar|chocar)(?:se)? (?:su|el) (?:carro|coche|auto|troca"
    r"|camioneta)\b",
    r"\b(?:amenaza|amenazo|amenazando) con (?:matarse|suicidarse|quitarse la vida|tirarse"
    r"|aventarse|hacerse da[nñ]o|cortarse|tomarse|colgarse)\b",
]
EMERGENCY_ES = [
    r"\bno (?:le |me |te )?(?:para|deja) de sangrar\b",
    r"\bno (?:respira|reacciona|despierta|responde|puede respirar|se mueve)\b",
    r"\b(?:se|se me) (?:desmayo|desvanecio|cayo y no|puso morad[oa]|esta poniendo morad[oa])\b",
    r"\b(?:desmayad[oa]|inconsciente|convulsion\w*|convulsionando|ataque epileptico)\b",
    r"\blabios (?:morados|azules)\b",
    r"\bse (?:trago|tomo|bebio|comio|tomaron) (?:.* )?(?:" + PILLS_ES[3:-1]
    + r"|frasco|bote|botella|cloro|veneno|detergente|pila|pilas|blanqueador|jabon|quimico)\b",
    r"\b(?:mi|el|la|un|una) (?:hij[oa]|bebe|nin[oa]|niñ[oa]|chiquit[oa]) (?:se )?(?:trago|tomo|comio"
    r"|bebio)\b",
    r"\bsobre ?dosis\b",
    r"\b(?:envenen|intoxic)\w*\b",
    r"\bambulancia\b",
    r"\bsangr(?:a|ando) (?:mucho|sin parar|demasiado|muchisimo|bastante|un monton|un chingo"
    r"|a chorros|horrible|bien feo)\b",
    r"\bse (?:esta )?ahogando\b",
    r"\bdolor (?:en el|de|fuerte en el) pecho\b",
    r"\bse le (?:esta )?(?:hinchando|cerrando) la garganta\b",
    r"\b(?:no puedo|no puede) respirar\b",
    r"\bse (?:esta )?(?:muriendo|desangrando)\b",
    r"\b(?:tomo|se tomo|tome|me tome) (?:de mas|demasiad[oa]s?|mas de la cuenta|doble dosis y)\b",
    r"\bcolaps[oa]\b",
    r"\bdesplom\w*",
    r"\b(?:esta teniendo|le esta dando|le dio|tuvo) un (?:infarto|derrame|ataque al corazon)\b",
    r"\b(?:le|me) duele (?:mucho |muy fuerte )?el pecho\b",
    # --- by meaning class: an emergency happening now ---
    # not breathing, choking
    r"\b(?:dejo de|deja de|no esta|casi no|apenas) respir(?:ar|ando|a)\b",
    r"\b(?:le|me) cuesta (?:mucho )?respirar\b",
    r"\bse (?:esta )?(?:asfixiando|atragant\w+|ahog[oa])\b",
    # unconscious, collapsed, seizure, stroke
    r"\b(?:perdio|perdio el|esta perdiendo el) (?:el )?(?:conocimiento|sentido)\b",
    r"\bno (?:lo|la|le) (?:puedo|podemos) despertar\b",
    r"\bno abre los ojos\b",
    r"\b(?:esta|quedo|se quedo) (?:tirad[oa]|tendid[oa]) (?:en el piso|en el suelo)\b(?= .*\bno\b)",
    r"\b(?:le (?:esta dando|dio)|tuvo|esta teniendo) (?:un |una )?(?:ataque|convulsion|embolia"
    r"|derrame)\b",
    r"\b(?:se le (?:cayo|chueco)|tiene chueca|se le ve chueca) (?:la )?(?:cara|boca)\b",
    r"\b(?:echando|echa|sale|saliendo) (?:espuma|sangre) por la boca\b",
    r"\bojos (?:en blanco|volteados)\b",
    r"\b(?:habla|hablando) (?:muy )?(?:raro|chistoso|arrastrado)\b|\barrastra las palabras\b"
    r"|\bno puede (?:mover|levantar) (?:el|la|un|una|medio) (?:brazo|pierna|lado|cuerpo|cara)\b",
    r"\b(?:poniendo|puso|pone|quedo) (?:muy )?(?:azul|morad[oa]|gris)\b",
    r"\bno se (?:puede|podia) mover\b(?! (?:el|la|los|las|mi|tu|su) )",
    r"\brespira (?:muy )?(?:raro|rapido|feo|con dificultad|entrecortado)\b",
    r"\b(?:esta|quedo|se quedo|encontre a (?:mi )?\w+) (?:tirad[oa]|tendid[oa]|desmayad[oa])?"
    r" ?(?:en el piso|en el suelo|en el ba[nñ]o)\b(?! (?:de|del) (?:la farmacia|el trabajo) (?:pa|para))",
    r"\b(?:se (?:pego|golpeo)|se cayo) (?:\w+ ){0,4}(?:la cabeza|de la escalera|del techo)\b"
    r"(?=.*\b(?:vomit\w*|no (?:responde|reacciona|despierta|se mueve)|confundid\w*|sangr\w*"
    r"|inconsciente)\b)",
    r"\b(?:empezo a|comenzo a|se puso a) (?:temblar|sacudirse|convulsionar)\b",
    r"\bse (?:cayo|desplomo|derrumbo|desvanecio) (?:al|en el) (?:piso|suelo)\b",
    r"\bse me (?:paso|fue) la mano con (?:la|el|las|los|su|sus)\b",
    r"\b(?:temblando y confundid\w*|confundid\w* y (?:sudando|temblando)|sudando frio)\b",
    r"\b(?:demasiada|mucha|de mas) insulina\b|\binsulina de mas\b",
    r"\bse le (?:durmio|entumio|cayo|adormecio) (?:la mitad de |medio |un lado de )?(?:la cara|el"
    r" cuerpo|el brazo|la pierna|la boca)\b",
    r"\bno puede hablar\b",
    r"\b(?:ataque|crisis) (?:de )?(?:asma|asmatica)\b|\bover ?dos[ie]s\b",
    # the same signs in other forms and word orders
    r"\bse (?:esta )?desmay\w+\b|\bse (?:le (?:va|fue|corta|corto) el aire|queda sin aire|quedo sin"
    r" aire)\b",
    r"\brespira (?:muy )?(?:mal|poquito|apenas|lento|lentito)\b",
    r"\bno se le (?:siente|encuentra|nota) (?:el )?pulso\b",
    r"\b(?:garganta|lengua|cara) se le (?:esta |estan )?(?:cerr|cierr|hinch|inflam)\w*\b",
    r"\b(?:palid[oa]|fri[oa]) y (?:no (?:responde|reacciona|despierta|respira)|sudando|temblando)\b",
    r"\b(?:esta|quedo|salio) (?:muy |mal |gravemente )?herid[oa]\b|\baccidente de (?:carro|auto"
    r"|trafico|moto)\b",
    r"\b(?:quimico|cloro|acido|lejia) en (?:los|el|sus) ojos?\b",
    r"\b(?:hay|esta|encontre a|vi a) (?:un |una |el |la )?(?:hombre|senor|señor|senora|señora|persona"
    r"|muchacho|muchacha|mujer|cliente|paciente|chavo|chava) (?:\w+ )?tirad[oa]\b",
    r"\ble (?:pego|agarro) un (?:derrame|infarto|ataque)\b",
    r"\bno (?:le )?(?:para|se detiene|se para|deja de salir) (?:la )?sangre\b",
    r"\bencontre a (?:\w+ ){1,3}con (?:una|la) jeringa\b",
    r"\b(?:no (?:le )?(?:encuentro|encontramos|siento|tiene) (?:el )?pulso|sin pulso)\b",
    r"\b(?:boca|labios|cara|unas|dedos) (?:\w+ )?(?:morad[oa]s?|azul(?:es)?)\b",
    r"\bse (?:cayo|hundio) (?:a|en) (?:la alberca|la piscina|el agua|el rio|el lago)\b",
    r"\b(?:lo|la|le|me) (?:mordio|pico) (?:una |un )?(?:vibora|serpiente|culebra|alacran"
    r"|escorpion|arana)\b",
    r"\b(?:lo|la|le|me) (?:atropell\w+|apunal\w+|balacearon|dispararon|acuchillaron)\b"
    r"|\b(?:le|lo) (?:pego|golpeo) un (?:carro|camion|trailer)\b",
    r"\bse electrocut\w+\b|\bgolpe de calor\b|\b(?:vomitando|vomita|escupe|tose) sangre\b",
    r"\b(?:se tomo|tome|tomo|le di|le dimos|se le dio) (?:\w+ ){0,4}(?:dos veces|otra vez la misma"
    r" dosis)\b",
    r"\bno se (?:despierta|mueve|levanta|puede levantar)\b",
    r"\b(?:le dio un paro|paro cardiaco|paro respiratorio)\b|\ble falta (?:el )?aire\b",
    r"\b(?:esta|se ve|tiene la piel|se puso) (?:muy )?(?:morad[oa]|azul)\b",
    r"\b(?:tomo|trago|bebio|comio|ingirio|se tomo|se bebio|se comio) (?:\w+ ){0,2}(?:cloro|veneno"
    r"|raticida|anticongelante|insecticida|acido|detergente|blanqueador|thinner|gasolina)\b",
    # said in Spanglish, the emergency in English after a Spanish subject ("mi mama tiene chest
    # pain", "mi hijo swallowed unas pastillas"): English messages never have the subject
    r"\b(?:mi|tu|su|el|la|un|una|tiene|tuvo|le dio|le esta dando|esta|se) (?:\w+ ){0,3}(?:chest"
    r" pains?|seizures?|seizing|passed out|pasou? out|not breathing|no breathing|overdos\w*"
    r"|swallow\w*|allergic reaction|anaphyla\w*|unconscious|unresponsive|stroke|heart attack"
    r"|choking|bleeding)\b",
    # chest pain
    r"\b(?:dolor|presion|apreton|punzada) (?:\w+ ){0,2}(?:en el|de|del) pecho\b",
    r"\bse (?:rompio|abrio) la cabeza\b|\bno puede tragar\b",
    r"\bse (?:me |le )?paso (?:de|con) (?:las |la |sus |mis )?(?:" + PILLS_ES[3:-1] + r"|dosis"
    r"|insulina|medicina|pastilla)\b|\bse le paso la dosis\b",
    r"\b(?:le|me) (?:duele|aprieta|esta doliendo) (?:\w+ )?(?:el pecho|el brazo izquierdo)\b",
    # bleeding
    r"\b(?:mucha sangre|sangra mucho|sangrando mucho|se esta desangrando|no deja de sangrar"
    r"|sangre por todos lados|charco de sangre|esta sangrando (?:de la cabeza|por la boca|por los"
    r" oidos))\b",
    # an allergic reaction with swelling
    r"\b(?:se le|se me|le|me) (?:esta |estan |empezo a |empezaron a )?(?:hinch\w+|inflam\w+"
    r"|cerr\w+|cierr\w+) (?:toda )?(?:la |los |el |las )?(?:cara|garganta|labios|lengua|boca|ojos|parpados)\b",
    r"\b(?:cara|garganta|labios|lengua|boca) (?:muy )?(?:hinchad[oa]s?|inflamad[oa]s?)\b",
    r"\b(?:anafila\w*|shock anafilactico|choque anafilactico|epipen|epi pen)\b",
    r"\breaccion alergica (?:fuerte|grave|severa|muy fuerte)\b",
    # too much taken by accident, a child swallowed something
    r"\b(?:doble dosis|dosis doble|el doble de (?:la )?dosis|triple dosis)\b",
    r"\b(?:tome|tomo|se tomo|me tome|se trago|trague|le di|se comio|se bebio) (?:como |unas |unos"
    r" |mas de |casi )?(?:[1-9]\d|\d{3}|diez|doce|quince|veinte|treinta|cuarenta|cincuenta)\b",
    r"\b(?:por error|sin querer|por accidente|por equivocacion|accidentalmente)\b(?=.*\b(?:demasiad"
    r"\w*|de mas|doble|muchas|todo el|toda la|mal|mared[oa]|vomit\w*|temblando)\b)",
    r"\b(?:se quemo|me queme|se le quemo) (?:\w+ ){0,3}(?:con (?:aceite|agua) hirviendo|quimicos"
    r"|toda la cara|todo el brazo|todo el cuerpo)\b|\bampollas en (?:toda|todo|la cara|el cuerpo)\b",
    r"\b(?:tome|tomo|se tomo|me tome|le di|le dimos|le dio|le puse|me puse|se puso|me inyecte"
    r"|se inyecto) (?:\w+ ){0,5}(?:por error|sin querer|por accidente|por equivocacion"
    r"|accidentalmente)\b(?=.*\b(?:mal|mareo|mared[oa]|temblando|sudando|vomit\w*|desmay\w*|no"
    r" reacciona|dosis|de mas|demasiad\w*|insulina|pastillas)\b)",
    r"\b(?:se|se me|se le) (?:metio|metieron|echo) (?:\w+ ){0,3}(?:a|en) la boca\b(?=.*\b(?:pastilla"
    r"|pila|cloro|jabon|quimico|detergente|capsula|veneno)\w*)",
    r"\b(?:hij[oa]|bebe|nin[oa]|niñ[oa]|chiquit[oa]|nen[ea]|hijit[oa]|sobrinit[oa]|nieto|nieta)"
    r" (?:\w+ ){0,3}se (?:trago|tomo|comio|bebio|metio)\b",
    r"\b(?:hij[oa]|bebe|nin[oa]|niñ[oa]|chiquit[oa]|nen[ea]|hijit[oa]|sobrinit[oa]|nieto|nieta)"
    r" (?:\w+ ){0,3}(?:tomo|trago|comio|bebio|agarro|mordio) (?:\w+ ){0,4}(?:" + PILLS_ES[3:-1]
    + r"|pastilla|frasco|bote|cloro|pila|pilas|jarabe|vitaminas|gomitas|detergente|capsulas?)\b",
    r"\b(?:frasco|bote|botella|caja) (?:de \w+ )?(?:vacio|vacia|abierto|abierta)\b(?=.*\b(?:hij"
    r"[oa]|bebe|nin[oa]|niñ[oa]|nen[ea]|comio|trago|tomo)\b)|\b(?:hij[oa]|bebe|nin[oa]|niñ[oa]|nen"
    r"[ea])\b.*\b(?:frasco|bote|botella) (?:de \w+ )?(?:vacio|vacia|abierto|abierta)\b",
]
MEDICAL_ES = [
    r"\b(?:cuant[oa]s?|que) (?:mg|miligramos|pastillas|dosis|ml|mililitros|cucharadas?|gotas)\b",
    r"\b(?:puedo|se puede|podemos|le puedo|puede|pueden|debo|deberia) (?!tomar (?:el|la|los|las|otra"
    r" vez el|mi|un|una) (?:examen|ptce|ptcb|exam|excpt|curso|clases?|certificacion|prueba|test"
    r"|turno|break|descanso|vacaciones|dias?|licencia|entrenamiento|ce)\b)(?:tomar|dar|darle|mezclar"
    r"|combinar|partir|triturar|tomarme|tomarlo|tomarla|dejar de tomar|beber)\b",
    r"\b(?:dosis|efectos secundarios|contraindicaciones|interaccion\w*|recetar|receta para)\b",
    r"\b(?:ibuprofeno|paracetamol|acetaminofen|amoxicilina|metformina|insulina|antibiotic[oa]s?"
    r"|aspirina|tylenol|advil|losartan|omeprazol|jarabe|antidepresiv\w+|clonazepam|naproxeno"
    r"|loratadina|prednisona|benadryl|sertralina|antihistaminic\w+|anticonceptiv\w+)\b",
    r"\bque (?:me tomo|tomo|le doy|puedo tomar|me recomiendas tomar|pastilla)\b",
    r"\bpara (?:el dolor|la fiebre|la tos|la gripe|dormir|la presion|el colesterol|la diabetes)\b",
    r"\bse me olvido (?:tomar|la pastilla|mi pastilla|mi medicina)\b",
    r"\bse (?:toma|debe tomar|tiene que tomar) (?:en la manana|en la noche|con comida|con alcohol"
    r"|en ayunas|antes|despues|cada)\b",
    r"\b(?:me|le) (?:da|de|causa|cause|provoca) (?:tos|sueno|mareo|dolor|nauseas|diarrea|comezon)\b",
    r"\b\w+(?:pril|sartan|statina|prazol|micina|cilina|azepam|oxetina|afil)\b",
    # --- by meaning class: a question about a medication ---
    r"\b(?:que|q|k) (?:me )?(?:tomo|puedo tomar|le doy|le puedo dar|me recomiendas|es bueno)"
    r" (?:pa|para)\b",
    r"\b(?:es malo|es bueno|es seguro|es peligroso|hace da[nñ]o|esta bien|pasa algo si) (?:tomar"
    r"|mezclar|darle|tomarme|dejar de tomar)\b(?! (?:el|la) (?:examen|ptce|ptcb|curso|turno))",
    r"\bpa(?:ra)? (?:el |la |los |las )?(?:dolor de \w+|fiebre|tos|gripe|gripa|alergia|alergias"
    r"|presion|colesterol|diabetes|acidez|agruras|insomnio|nauseas|migrana|infeccion)\b",
]
DISTRESS_ES = [
    r"\bme (?:mata|matan|esta matando|estan matando|va a matar|van a matar)\b",
    r"\bmuert[oa] (?:de|en vida)\b",
    r"\bme muero (?:de|del|en)\b",
    r"\bya no (?:aguanto|puedo|soporto)\b",
    r"\bestoy (?:harta|harto|quemad[oa]|agotad[oa]|hasta la madre|hasta el gorro|reventad[oa]"
    r"|fundid[oa]|exhaust[oa]|destruid[oa]|deprimid[oa]|ahogad[oa]|desesperad[oa])\b",
    r"\b(?:estres|estresad[oa]|ansiedad|depresion|deprimid[oa]|desesperad[oa])\b",
    r"\bllor(?:ando|o|e) (?:en|todos|cada|antes|despues|de)\b",
    r"\bme (?:estoy )?ahog(?:o|ando)\b",
    r"\bodio (?:mi vida|mi trabajo|esta chamba|este trabajo)\b",
    r"\bno puedo mas\b",
    r"\b(?:renunciar|dejar) (?:a )?todo\b",
    r"\bme (?:tiene|tienen|trae|traen) (?:frit[oa]|loc[oa]|hart[oa]|hasta el gorro|hasta la madre"
    r"|mal|de malas)\b",
    r"\b(?:quemad\w*|podrid[oa]|mamad[oa]|volviendo loc[oa]|saca de quicio|sacan de quicio)\b",
    r"\b(?:estoy|llego|llegue|quede|quedo|dejo|dejaron|tiene|tienen|ando) (?:\w+ )?muert[oa]s?\b",
    r"\bmuert[oa] (?:por dentro|jaja|lol)\b",
    r"\bme (?:mataron|mato|mata) (?:los|las|el|la)\b",
    r"(?<!voy )(?<!vas )(?<!va )(?<!iba )(?<!vamos )\ba morir\b",
    r"\b(?:va a ser|fue|sera) mi muerte\b",
    r"\b(?:morir|morirme|muero) de (?:la )?(?:pena|verguenza|risa|sueno|aburrimiento|calor)\b",
    r"\bir a vivir\b",
    r"\bmataria (?:por|x)\b",
    r"\b(?:estuvo|esta|fue|era) de muerte\b",
    # --- by meaning class: hyperbole and venting, not a crisis ---
    r"\b(?:estoy|ando) (?:que me lleva|que no me calienta ni el sol|hasta la coronilla"
    r"|hasta el copete)\b",
    r"\bme lleva la (?:chingada|fregada|que me trajo|tristeza)\b",
    r"\bdesaparecer (?:de|del) (?:la |el |este |esta |mi )?(?:farmacia|trabajo|turno|chamba|retail"
    r"|cvs|walgreens|mapa|pueblo|oficina)\b|\bdesaparecer (?:un|una|unos|unas) (?:dia|dias|mes|meses"
    r"|semana|semanas|rato|tiempo)\b",
    r"\b(?:me quiero|quiero|me voy a) ir(?:me)? de (?:esta|la|este|el) (?:farmacia|trabajo|chamba"
    r"|tienda|lugar|empresa|cadena)\b",
    r"\b(?:volver|volverme|volviendo|vuelvo) loc[oa]\b",
    r"\bme (?:tiene|tienen|trae|traen) hasta (?:la coronilla|el copete|el gorro|la madre)\b",
    r"\bno (?:aguanto|soporto|puedo con) (?:mas |ya )?(?:a |al |el |la |los |las |este |esta |estos"
    r" |estas |mi |mis |tanto|tantas|tantos|otro|otra)",
    r"\b(?:ya )?me (?:harte|hartaron|tienen harta|tienen harto)\b",
    r"\bme (?:muero|moria|mori) (?:de|del|por|x)\b",
    r"\b(?:me quiero|me queria|me voy a|quisiera) morir (?:de|del) (?:la )?(?:pena|verguenza"
    r"|risa|sueno|hambre|cansancio|frio|calor|nervios|aburrimiento|flojera|envidia|ansias)\b",
    r"\bni muert[oa]\b",
    r"\b(?:estuvo|esta|fue|era|estaba|anda|ha estado) de la muerte\b",
    r"\bya no quiero (?:estar|trabajar|seguir|volver|regresar) (?:en|a|con|pa) (?:esta|este|la|el|mi"
    r"|los|las) (?:farmacia|trabajo|chamba|jale|tienda|turno|retail|cvs|walgreens|empresa|jefe|jefa"
    r"|clientes|lugar)\b",
    r"\b(?:sigo|me siento|voy|vengo|andamos|estamos|quedamos|llegamos) (?:\w+ )?muert[oa]s?\b",
    r"\b(?:morir|muero|morirme|muriendo) de lo \w+\b",
    r"\b(?:dia|turno|semana|jefe|jefa|trafico|calor|frio|examen|fila|cola|horario|cansancio|noche)"
    r" de (?:la )?muerte\b",
    r"\b(?:mato|mataria|matar) (?:por|x) (?:un|una|unas|unos|el|la|dormir|descansar|vacaciones)\b",
    r"\b(?:es|seria|fue|era|es un) (?:un )?suicidio\b(?! (?:pa|para) mi)",
    r"\bsuicidio (?:laboral|profesional|financiero|social)\b",
    r"\b(?:me mato|me mate|matarme|me estoy matando|matandome|me maten) (?:estudiando|trabajando"
    r"|a estudiar|en el trabajo|en la farmacia|con (?:el|la|los|las) (?:estudio|examen|turnos?"
    r"|horas|inventario)|haciendo|pa pasar|para pasar)\b",
    r"\b(?:me|nos) (?:va|van) a matar (?:si|cuando|con)\b",
    r"\bme (?:tiene|tienen|trae|traen) (?:muert[oa]|hart[oa]|quemad[oa]|agotad[oa]|frit[oa]"
    r"|de malas|hecho polvo|hecha polvo)\b",
]

# Spanish has no embedding to carry meaning (the model reads English only), so a second, wider
# layer errs towards safety: a clause with words about death, dying, self-harm or giving up
# that is not a known figure of speech ("me muero de sueño", "este trabajo me mata") is read
# as a crisis.
RISK_ES = [
    NOT_TRAINING_ES + r"\b(?:suicid\w*|sui?sid\w*)\b",
    r"\b(?:me ahorco|me cuelgo|ahorc\w*)\b",
    r"\b(?:morir\w*|muerte|muert[oa]s?|matar\w*|quitarme|desaparecer|acabar"
    r" con|despedida|despedirme|despidiendome|cortarme|cortadas|ahorcar\w*|no quiero vivir"
    r"|ganas de vivir|dejar de vivir|dejar de existir|carga para|no despertar|dormir para siempre"
    r"|para siempre|no aguanto mas|no puedo mas|no vale la pena vivir|adios|despedir\w*|rendirme"
    r"|ya no quiero|no quiero seguir|sin mi|estorbo|puente|tren|cuchilla|navaja|cuerda"
    r"|cansad[oa] de todo|no vale nada|sin salida|pa siempre|mortal\w*|despedi\w*|pistola"
    r"|testamento|seguro de vida|soga)\b",
]
# Words that also belong to medication and emergency questions ("el ibuprofeno le hace daño"):
# a crisis only where no medication or emergency phrase explains the clause.
RISK_WEAK_ES = [
    r"\b(?:da[nñ]o|cortar\w*|cortes en|lastim\w*|veneno|sobre ?dosis|frasco|frasco entero|arma"
    r"|todas (?:las|mis) " + PILLS_ES + r"|" + PILLS_ES + r" juntas)\b",
]

# Denials said as a whole ("no soy suicida", "no lo dije en serio"): the answer, with the
# gentle line.
DENIAL_ES = [
    r"\bno soy suicida\b",
    r"\bno tengo (?:pensamientos|ideas|planes)\b",
    r"\b(?:nunca|jamas) me (?:haria|mataria|lastimaria|haria da[nñ]o|cortaria)\b",
    r"\bno (?:estoy|ando) pensando en\b",
    r"\bno morirme\b",
    r"\bnada de (?:eso|autolesiones|cortarme)\b",
    r"\bno (?:me voy a|pienso) hacer nada\b",
    r"\bno lo dije en serio\b",
    r"(?<!\bno )(?<!\bni )\b(?:es|era|fue) (?:solo )?(?:un decir|una forma de hablar|una broma"
    r"|broma)\b",
    r"\bno (?:es|era) en serio\b",
    r"\bni (?:de chiste|de broma|en broma|loc[oa]|muert[oa]) (?:pienso|voy|quiero|me)\b",
]
