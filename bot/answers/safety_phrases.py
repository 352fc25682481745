# ruff: noqa: ISC004
# (the pattern lists join long patterns across lines on purpose)
"""The phrase layer's English patterns: how people say it in chats (the Spanish ones are in
:mod:`bot.answers.safety_phrases_es`).

Data only, read by :mod:`bot.answers.safety`. Each list is one outcome in one language; the
patterns run on folded text (lowercase, no accents or apostrophes, single spaces). Grown from
the tune half of the safety sets and the rows of ``safety_examples.jsonl``, never from the
held-out halves.
"""

from __future__ import annotations

ME = r"(?:my ?s[ei]l?f|myslef|mysef|meself|my ?sef)"
PILLS = (r"(?:pills?|meds|medications?|medicines?|tablets?|xanax|oxys?|percs?|sleeping pills|insulin"
         r"|tylenol|acetaminophen|ambien|benzos|klonopin|painkillers|pain pills|opioids|norcos?"
         r"|seroquel|lithium|gabapentin|percocets?|oxycodone|oxycontin|hydrocodone|vicodin|tramadol"
         r"|fentanyl|morphine|adderall|sertraline|zoloft|prozac|trazodone|ativan|valium|controls"
         r"|narcs|narcotics|opiates|muscle relaxers|antidepressants|sleep aids?|caps|capsules)")
GIVING_UP = r"(?:cant|can t|cannot) (?:do|take) (?:this|it) any ?more"
FAREWELL = (rf"(?:{GIVING_UP}|love (?:you|u|yall) all|goodbye|bye (?:everyone|yall|all)"
            r"|take care of my)\b")
GOODBYE_EN = (rf"\b{GIVING_UP}\b.*\bsorry for everything\b"
              rf"|\bsorry for everything\b.*\b{FAREWELL}")
# A policy paying out, and a suicide named (not its prevention): the life insurance phrases.
_PAYS_OUT = r"(?:pay|pays|paid|payout|pay out|cover|covers|covered|count)"
_SUICIDE_NAMED = (r"(?:suicide(?! prevention| awareness| training)|(?:kill|off) (?:my|your|ur|one)"
                  r" ?self|kms)")

SELF_EN = [
    # a lethal amount asked for oneself ("whats a lethal dose of insulin asking for myself")
    r"\blethal (?:dose|amount|dosage)\b(?: \w+){0,6} (?:for (?:my ?self|me)|asking for (?:my ?self|me))\b",
    # a plan to take a whole supply ("my plan is to take all my grandmas pills friday")
    rf"\b(?:my plan is|the plan is|planning|plan|im going|i am going|im gonna) to (?:take|swallow)"
    rf" (?:all|every one|the whole bottle|a whole bottle|the rest)(?: of)?(?: \w+){{0,3}} {PILLS}\b",
    # out of life itself ("i want out of life, not just out of rite aid")
    r"\b(?:want|wanna|need) (?:to get )?out of (?:this )?(?:life|existence|living)\b",
    # not here for what is ahead ("studying feels pointless when i wont be here to take it")
    r"\b(?:i|im|ill) (?:\w+ ){0,2}(?:wont|will not|not gonna|not going to) be (?:here|around|alive)"
    r" (?:to (?:see|take|need|use|finish|renew|do) (?:it|that|them|this)|(?:for|by) (?:it|that|then)"
    r" anyway|anyway)\b",
    # "i feel like a ghost already might as well make it official"
    r"\b(?:ghost|dead|gone|invisible|nothing|nobody)\b(?: \w+){0,6} might as well make it"
    r" (?:official|permanent|real)\b",
    r"\bs(?<!career s)(?<!social s)(?<!academic s)(?<!financial s)(?<!political s)"
    r"[uo]+i?[cs]+i?d+(?:e|al|ally|ality|ial|le|el|ial|ale)\b(?! (?:prevention|awareness|training|hotlines?"
    r"|risk|screening|assessments?|rates?|statistics|lifeline|course|ce|modules?|education"
    r"|protocols?|policy|policies|patients?|customers?|callers?|persons?|people|calls?|watch"
    r"|precautions|hotline))",
    rf"\bdo something (?:stupid |bad |dumb |drastic )?to {ME}\b",
    # self-harm someone came upon ("my rph found me cutting in the bathroom at work")
    r"\b(?:found|finds|caught|catches|saw|sees|seen|walked in on) me (?:cutting|burning|hurting"
    r" my ?self|harming my ?self|scratching)\b(?! (?:corners|hours|class|costs|back|in line))",
    # not seeing oneself alive for what lies ahead ("i dont see myself being around for my cert
    # renewal")
    rf"\b(?:dont|do not|cant|can not|cannot|never) see {ME} (?:being |still )?(?:around|alive"
    r"|here|living)\b(?! (?:this|that|the) (?:job|store|place|pharmacy|company))",

    rf"\b{PILLS} (?:hidden|stashed|saved up)\b",
    r"\b(?:not|dont|wont|no) (?:plan(?:ning)? on |planning to |going to |gonna |expect to )?(?:be|being)"
    r" (?:around|here|alive) (?:much |a lot |for )?(?:longer|long|next (?:week|month|year))\b",
    r"\bhow easy it (?:would|could) be to (?:end|die|just|not|drive|take|swallow|jump|disappear)\b",
    r"\bif i (?:died|was dead|were dead|was gone|were gone|killed my ?self|disappeared forever"
    r"|wasnt alive|werent alive|wasnt around anymore)\b",
    r"\b(?:how (?:much )?longer|dont know if|idk if|not sure if|not sure) (?:i )?(?:can |want to "
    r"|wanna )?(?:keep living|go on living|stay alive|be alive|keep going on)\b",
    r"\b(?:how to|how i can|why i should|any reason to|reason to) (?:keep living|stay alive"
    r"|go on living|keep being alive|keep existing)\b",
    r"\b(?:thinking|think|thought|keep thinking) (?:about|of|abt) (?:just |like |maybe )?(?:swallowing|taking all(?! (?:the |my "
    r"|of my |of the )?(?:pto|vacation|time|hours|shifts|classes|credits|ce|courses|overtime|days"
    r"|tests|exams))|downing|od|overdosing|jumping|cutting"
    r"|hanging|crashing|driving into|walking into|ending(?! (?:my |the |this |our |a )?(?:career|job"
    r"|contract|shift|lease|time|relationship|subscription|membership|marriage|streak))"
    r"|not being)\b",
    # no future, means counted: "dont see myself making it to 30", "how many of my pens
    # would it take"
    r"\b(?:dont|do not|cant|can not|never) (?:see|picture) (?:my ?self|me) (?:making it|being"
    r" alive|being here|living|getting|lasting) (?:to|past|till|until|through)\b",
    r"\bhow many (?:of )?(?:my|the|these|those|her|his|moms|dads) (?:\w+ ){0,2}(?:would|will) it"
    r" take(?: to (?:die|not wake up|end it|kill me|be enough))?$",
    # means worked out, affairs put in order, a note for who finds them, self-injury said
    # plainly
    r"\b(?:figured out|worked out|calculated|looked up) (?:exactly )?how (?:much|many) (?:\w+ ){0,3}"
    r"(?:would|will) (?:be enough|do it|kill me)(?: for me)?(?:$| to (?:die|end it|not wake up))",
    r"\b(?:been|keeps?|kept|keep on) (?:looking up|googling|searching|researching) (?:\w+ )?"
    r"(?:overdose|lethal|fatal|deadly) (?:amounts?|doses?|dosages?)\b",
    r"\bmy will and (?:my )?(?:passwords|accounts|life insurance|everything|bank)\b",
    r"\b(?:handle|take care of|deal with|sort out) (?:things|everything|it all|my stuff) after$",
    r"\bwhoever finds me\b",
    # a goodbye, said by the writer or quoted from someone (the who-rules decide)
    r"\bwont be (?:alive|around) to (?:pick|see|get|use|need|fill|take|read)\b",
    r"\bthis is (?:my )?goodbye\b|\bby the time (?:you|u|anyone|someone) (?:read|reads|see|sees"
    r"|find|finds) this\b",
    # lethality looked up, an attempt, a body found: the who-rules say whose
    r"\b(?:searched|searching|googled|googling|looked up|looking up|researched|researching)"
    r" (?:up )?(?:how to|ways to) (?:overdose|od|die|kill (?:my|him|her|them) ?sel(?:f|ves)"
    r"|end it|end (?:my|his|her|their) life)\b",
    r"\b(?:tried|tries|trying|attempted|attempting) to (?:od|overdose|o d)\b",
    r"\b(?:dont|doesnt|do not|does not|cant|can not) (?:really )?(?:see|know) why (?:i|she|he|they)"
    r" (?:should|would|even) (?:even )?(?:bother )?(?:wak(?:e|ing) up|keep(?:ing)? (?:living|going)"
    r"|be(?:ing)? alive|stay(?:ing)? alive|liv(?:e|ing)|get(?:ting)? up in the morning)\b",
    r"\b(?:find|found|finds) (?:my|her|his|their) body\b",
    r"\b(?:dig|digging|dug) my nails into\b",
    r"\bmy (?:arms?|wrists?|legs?|thighs?|skin) (?:\w+ ){0,2}(?:til|till|until) (?:it|they) bleeds?\b",
    # things given away: "told my sister she can have my car"
    r"\b(?:she|he|they|you|u) can (?:have|keep) (?:all )?my (?:car|stuff|things|cat|dog|clothes"
    r"|jewelry|plants|games|books|savings|guitar|truck)\b",
    # plans and timing, said without the word: "dont plan on being around by then",
    # "wrote down when and how"
    r"\b(?:dont|do not|not|wont|no) (?:plan(?:ning)? on|planning to|going to|gonna"
    r"|expect(?:ing)? to) (?:be|being|still be) (?:around|alive|here (?:anymore|by then"
    r"|much longer|after))\b",
    r"\b(?:know|decided|planned|picked|wrote down|worked out|figured out|chose|settled on)"
    r" (?:exactly )?(?:when and how|how and when|the when and the how)\b",
    r"\b(?:lost|losing|no|zero|dont have (?:a|the|any)|without (?:a|any)) (?:my |the |any )?will to"
    r" live\b",
    r"\bdone with (?:life|living|everything and everyone|it all|existing|being alive|this life"
    r"|this world)\b(?! (?:at|in) (?:this|the|my|our) (?:store|job|pharmacy|place|location|company"
    r"|hospital|work|retail|walgreens|cvs)\b)",
    # an attempt said with no object, as people say it ("my sister attempted last year"):
    # whose is read by who says it
    r"\battempted(?: suicide)?(?= (?:last|this past|earlier|in (?:19|20)\d\d|a (?:few|couple)"
    r"|twice|once|before|when)\b)",
    # ... and done trying at it ("im done trying at life honestly"; "done trying at this job" is
    # venting)
    r"\bdone (?:trying|caring|fighting) (?:at|with|for|in) (?:life|living|existing|being alive)\b",
    r"\b(?:od|o d|over ?do(?:s|se|es|sing|sed|ze|zing)\w*) (?:on purpose|intentionally"
    r"|deliberately|to die|to end it)\b",
    r"\b(?:take|taking|swallow\w*) everything in (?:my|the) (?:medicine cabinet|cabinet|bathroom)\b",
    rf"\ball (?:of )?(?:my|the|these) {PILLS} at once\b",
    r"\b(?:gun|it|pistol|barrel) (?:to|against) my (?:head|temple)\b",
    r"\b(?:painless|easy|quick|quickest|best|easiest) ways? to (?:die|go|end it|kill)\b"
    r"(?! (?:time|it|the|a|some|an|them|those|these|germs|bacteria|bugs|weeds|the vibe|hours))",
    r"\bways to (?:die|kill my ?self|end it|end my life)\b",
    r"\bi (?:know|have decided|decided|figured out) (?:when and how|how and when|how i would do it"
    r"|how id do it)\b",
    r"\b(?:dont|not|never) (?:to )?open my eyes (?:again|in the morning|tomorrow)\b",
    r"\bwalk(?:ing)? into (?:the|a) (?:river|lake)\b",
    r"\b(?:fresh |new )?cuts on my (?:wrists?|arms?|legs?|thighs?)\b",
    r"\b(?:tired|sick) of (?:being alive|living|life|existing|being here)\b",
    r"\bif i (?:just )?(?:wasnt|werent|was not|were not) (?:here|around|alive)\b",
    r"\b(?:letters?|notes?) (?:\w+ ){0,8}saying goodbye\b",
    rf"\bend {ME}\b",
    r"\bwant (?:it|everything|this|the pain|it all|all of it) (?:all )?to (?:stop|end)$",
    r"\bwant (?:the|this|my) pain to (?:end|stop)\b",
    # ... not things ended with a person or a job ("is it a good time to end things with my
    # manager"); "end things with pills" stays
    r"\bend(?:ing)? things\b(?! (?:off )?with (?:my |his |her |their |the |this |that |our |a |an )?"
    r"(?:manager|boss|supervisor|pharmacist|rph|bf|gf|boyfriend|girlfriend|husband|wife|partner"
    r"|fianc\w*|ex|him|her|them|job|store|company|employer|pharmacy|school|program|landlord"
    r"|roommate|friend|coworker|co worker|guy|girl|dude|walgreens|cvs|hospital)\b)",
    r"\bend(?:ing)? it (?:tonight|tonite|2nite|2night|today|soon|this week|now|for real)\b",
    r"\b(?:life|living|it|my life) (?:isnt|is not|aint|not|is nt) worth (?:living|it anymore"
    r"|living anymore)\b",
    r"\bhate (?:being alive|living|existing|my existence)\b",
    r"\b(?:take|swallow|down|drink) (?:the|a) (?:whole|entire) (?:bottle|pack|box|thing of)\b",
    r"\btonight (?:is|might be|will be|could be) the night\b",
    r"\benough (?:\w+ ){0,3}to (?:not wake up|die|end it|kill me|od|overdose)\b",
    r"\bgiv(?:e|ing) up on (?:life|living|everything|myself)\b",
    r"\b(?:would|d) (?:all )?be better off$",
    r"\bput an end to (?:it|it all|my life|everything)\b",
    r"\b(?:razor|blade|razors|blades)\b.*\bmy (?:arm|wrist|thigh|leg)s?\b",
    r"\b(?:dont|cant|do not|can not) see (?:a|any) way out\b",
    r"\bno way out$",
    r"\bnot wanting to (?:live|be alive|be here|exist|wake up)\b",
    r"\bdisappear and never come back\b",
    r"\b(?:life|living|everything|my life|existence|existing) (?:is|feels|seems) (?:so )?"
    r"(?:pointless|meaningless|worthless)\b(?! (?:at|in) (?:work|this job|my job|the pharmacy|this"
    r" store|retail))",
    r"\b(?:want|wanna|going|gonna|thinking about|plan|planning|decided) (?:to )?(?:od|overdose)\b",
    r"\b(?:get|collect|cash in|cash) (?:my |the )?(?:life )?insurance\b",
    r"\blife insurance\b(?= (?:at least|when|after|if i|money when))",
    r"\b(?:after|when|once) (?:im|i am|i m) gone\b",
    r"\bwhere (?:im|i am|i m) going\b",
    r"\b(?:wont|will not|dont|do not|wont even|not gonna) need (?:it|them|this|these|those|a job|anything"
    r"|money|my \w+)(?: \w+)? (?:anymore|any more|where|soon|much longer)\b",
    r"\bsoon i wont need\b",
    r"\b(?:looking|looked|look|googling|googled|searching|searched|researching|figured out|know"
    r" exactly) (?:up )?how (?:many|much) (?:\w+ ){0,5}(?:it )?(?:would|it d|itd|to)? ?(?:take|takes"
    r"|kill|to die|be lethal|be enough|i would need|id need)\b"
    # ... not "how many hours it takes to get certified"
    r"(?! to (?!die\b|end\b|not wake|kill\b|od\b|overdose|stop breathing)\w)",
    r"\b(?:which|what) (?:things|ones|meds|drugs|pills) (?:would|could) (?:make it|do it|be) (?:quick"
    r"|painless|lethal|enough)\b",
    r"\bquick and painless\b",
    r"\brope (?:in|from|around|on) (?:my|the) (?:garage|closet|neck|tree|ceiling|basement)\b",
    r"\b(?:dont|do not) think (?:ill|i will|i ll|i am gonna|im gonna) be (?:around|here|alive)\b",
    r"\bwont be (?:around|here|alive) (?:much longer|long|for long|by|next|to see|for my)\b",
    r"\bnot (?:planning on|going to be|gonna be) (?:sticking|staying|being) around\b",
    r"\bwont be (?:a |an )?(?:problem|burden|bother|issue) (?:for|to) (?:anyone|anybody|you|them"
    r"|nobody)\b",
    r"\bcut my (?:arm|arms|wrist|wrists|leg|legs|thigh|thighs)\b(?! (?:on|with|opening|at work|by"
    r" accident|accidentally))",
    r"\bengine running\b",
    r"\b(?:closed|shut) garage\b",
    r"\bfor when i (?:decide|choose|am ready|m ready|finally|go)\b",
    r"\bwhen i decide to go\b",
    rf"\btake {ME} out\b",
    r"\bout of the picture\b",
    r"\bgun\b.*\b(?:not|didnt|wasnt)\b.*\bprotection\b",
    r"\bbefore i go$",
    r"\bonce before i go\b",
    r"\bwith a note for\b",
    r"\b(?:hit|bang|banged|punch|punched|slam|slammed) my (?:head|fist)\b.*\b(?:bled|bleed|bleeding"
    r"|until)\b",
    r"\b(?:dont|doesnt|cant|do not|does not) see (?:the |any |a )?point (?:in|of) (?:living|life|going on"
    r"|being alive|being here)\b",
    rf"\b(?:use|using) (?:it|a gun|the gun|them|those) on {ME}\b",
    r"\b(?:take|taking) all (?:my|of my) (?:refills|pills|meds|medication)\b",
    r"\blast time (?:youll|you will|you ll|anyone will|anybody will) see me\b",
    r"\b(?:read|reads|sound|sounds|look|looks) like (?:a )?goodbyes?\b",
    r"\bleaving forever\b",
    r"\bready to (?:die|go for good|leave this world)\b",
    r"\bonly way out\b",
    r"\bsewer ?slide\b",
    rf"\bkil+(?:ing|in)? ?{ME}\b",
    r"\bkms+\b",
    r"\bun ?aliv(?:e|ing|ed)\b(?! (?:my|the|this|that|these|those|a|an|our|your) (?!self\b)"
    r"(?!ptce|exam)\w)",
    rf"\boff(?:ing)? {ME}\b",
    rf"\b(?:hang|hanging|shoot|shooting|drown|drowning|poison|poisoning) {ME}\b",
    r"\bend(?:ing)? (?:it all|my (?:own )?life|my life|everything for good|things for good"
    r"|it for good|my existence)\b",
    r"\bends?(?:ing)? it(?: all)?$",
    r"\b(?:take|taking|took) my (?:own )?life\b",
    r"\b(?:dont|do not|dnt|don t|doesnt|dont really|no longer) (?:really )?(?:want|wanna|wish)"
    r" (?:to )?(?:be alive|live|exist|be here anymore|be here any more|wake up|keep living"
    r"|go on|be on this earth|live anymore|exist anymore)\b",
    r"\b(?:want|wants|wanna|wanted|wanting|wish i could|going to|gonna|ready to|i should|i could"
    r"|i just|prefer to|rather just) (?:to |2 )?(?:just )?(?:die|be dead|stop existing|not exist|not be alive|not wake up|be gone for good)\b",
    r"\bwish i (?:was|were|wasnt|werent|had never been|was never|never|could) (?:dead|born|alive"
    r"|never born|not born|not alive|not here|gone|disappear forever|stop existing|exist)\b",
    r"\bwish i (?:would|could) (?:die|just die|not wake up|never wake up)\b",
    r"\bbetter off (?:dead|without me|if i (?:was|were|wasnt|werent) (?:gone|dead|here|around)"
    r"|with me gone|if i died|without me around)\b",
    r"\b(?:no|zero|nothing|not any|isnt any|isnt a|is no) ?(?:point|reason|reasons) (?:in |of |for )?"
    r"(?:me )?(?:going on|living|being alive|being here|being around|to be here|to live|to go on|to keep going|to keep living"
    r"|in life|staying alive|to be alive|to stay alive|keep living|keep going|life|existing"
    r"|to exist|anymore|in anything|to anything)\b",
    r"\b(?:dont|doesnt|do not|does not|cant|can not) see (?:the |any |a )?point (?:anymore|any more)$",
    r"\b(?:dont|do not|cant|can not) see (?:the |any )?point (?:of|in) (?:anything|it all|trying"
    r"|waking up|getting up|any of it)\b",
    r"\bwhats (?:even )?the point (?:of|in) (?:living|life|going on|being alive|staying alive"
    r"|anything|it all|existing|me|waking up|trying anymore)\b",
    r"\bwhat(?:s| is) (?:even )?the point anymore\b",
    r"\bself ?harm\w*\b",
    r"\bs h\b(?= (?:again|urges?|scars?))",
    rf"\b(?:want|wanna|urges?|thinking|thought|thoughts|started|start|been|keep|kept|going to"
    rf"|gonna|might|will|would|relapsed|back to|cant stop|plan|plans|intention|intend) (?:\w+ ){{0,3}}(?:hurt|hurting|harm|harming"
    rf"|cut|cutting|burn|burning|starve|starving)(?: of)? {ME}\b",
    rf"\b(?:hurt|hurting|harm|harming|cut|cutting|burn|burning)(?: of)? {ME} (?:again|on purpose"
    rf"|to cope|to feel|when|so)\b",
    r"\bcutting (?:again|my (?:arms?|wrists?|legs?|thighs?|skin))\b",
    # cutting said with no object, as people say self-harm ("my sister is cutting and hiding
    # it", "ive been cutting in secret"): whose is read by who says it. Only said with hiding
    # it, again, on an arm, at night...: not hours ("the manager keeps cutting, we lost 20
    # hours"), pills or coupons
    r"\b(?:is|was|been|keeps|kept|started|starts|still|has been|have been|are|were)"
    r" cutting \s*(?:and hid\w*|again|herself|himself|themselves|myself"
    r"|on (?:her|his|their|my) (?:arms?|legs?|wrists?|thighs?)|at night|in secret|secretly)\b",
    r"\bcut (?:my (?:wrists?|thighs?)|again)\b",
    r"\b(?:slit|slice|slash|slitting|slicing|slashing) my (?:wrists?|arms?|throat)\b",
    r"\boverdos\w* on purpose\b",
    r"\b(?:od|o d|overdose|overdosing) (?:on|with) (?:my |all |the )?\w*" + PILLS + r"? ?(?:on purpose|to die|to end it|and not wake up)\b",
    rf"\b(?:take|taking|took|swallow|swallowing|swallowed|down|downing) (?:all|every one|a bunch"
    rf"|a handful|the whole bottle|a whole bottle|enough)(?: of)? (?:my |the |these |those |his |her "
    rf"|their )?"
    rf"{PILLS}\b(?! (?:wrong|in the wrong|by mistake|accidentally))",
    rf"\b(?:saving|stockpiling|hoarding|stashing|collecting|saving up|hiding|storing|keeping)"
    rf"(?: up)? (?:my |some |all |a bunch of |enough |extra |up )?(?:(?!his |her |their )\w+ )?"
    rf"{PILLS}"
    rf"(?! (?:for (?:work|my patients|the patients|inventory|return|disposal)))\b",
    r"\bgoodbye (?:letters?|notes?|messages?|texts?|videos?)\b",
    # whether a life insurance policy pays out on a suicide ("does the life insurance still pay
    # out if you kill yourself? asking for my kids")
    # (asked as a question, its opening words are part of the phrase: "does the tech job life
    # insurance" names no one; each pattern opens with a word, which keeps the layer fast)
    rf"\b(?:does|do|will|would|can|is|if) (?:\w+ ){{0,4}}life insurance\b.*\b{_PAYS_OUT}\b.*\b"
    rf"{_SUICIDE_NAMED}\b",
    rf"\blife insurance\b.*\b{_PAYS_OUT}\b.*\b{_SUICIDE_NAMED}\b",
    rf"\b{_SUICIDE_NAMED}\b.*\blife insurance\b.*\b{_PAYS_OUT}\b",
    r"\b(?:writing|wrote|write|written|drafted|drafting) (?:my |a |the )?(?:last|final) "
    r"(?:letters?|notes?|goodbyes?|words)\b",
    r"\bsaid (?:my )?goodbyes?\b",
    # the moment chosen ("its a good time to finally do it")
    r"\b(?:good|right|perfect|best) (?:time|night|chance|day) to (?:finally (?:do it|go through"
    r" with it|end it|end things)|end it|end things)\b(?! with)",
    # a goodbye sent to people of the writer's or to everyone ("texted my best friend goodbye and
    # turned my phone off"): the verb alone is the phrase, so the who-rules read its subject
    # ("my sister texted my mom goodbye" is hers); "texted me goodbye" is someone else's
    r"\b(?:texted|messaged|sent|dmd|dmed|emailed|snapped|told)(?= (?:(?:all )?my (?:\w+ ){1,2}"
    r"|everyone |every one |every body |everybody )(?:goodbye|bye forever|my goodbyes)\b)",
    # deserving someone better in one's own place ("my kids deserve a mom who isnt thinking about
    # dying every day")
    r"\bmy (?:\w+ ){0,2}deserves? (?:a |an )?(?:better |real |\w+ )?(?:mom|dad|mother|father|wife|husband|partner"
    r"|parent|friend|sister|brother|daughter|son|girlfriend|boyfriend|gf|bf)s? (?:who|that) (?:isnt"
    r"|is not|doesnt|does not|wasnt|aint) (?:always |constantly |\w+ ){0,3}(?:suicidal|dying|die"
    r"|dead|killing (?:her|him|them)sel\w*|cutting|hurting (?:her|him|them)sel\w*)\b",
    # an apology for everything beside giving up or a farewell ("i cant do this anymore im sorry
    # for everything"); the apology alone is just an apology, and "cant do this anymore" alone
    # a figure of speech (which does not explain away a goodbye it is part of: GOODBYE_EN)
    GOODBYE_EN,
    r"\bjump(?:ing|ed)? (?:off|from) (?:a |the |my |our |his |her |their )?(?:bridge|building|roof|balcony|overpass"
    r"|parking garage|cliff)\b",
    r"\b(?:in front of|under) (?:a |the )?(?:train|bus|truck|semi)\b",
    r"\b(?:crash|crashing|drive|driving|swerve|swerving|steer|steering)(?: my car)?(?: off)?"
    r" (?:into|off) (?:a |the |some |oncoming )?(?:wall|tree|bridge|pole|barrier|traffic|ditch"
    r"|overpass|median|guardrail|cliff|road)\b",
    r"\bcrash(?:ing)? (?:my|the) car on purpose\b",
    r"\b(?:not|never|dont|do not) (?:to )?wake up\b",
    r"\b(?:could|can|gonna|going to|wants? to|will|so (?:he|she|i) could) take (?:it|them|the whole"
    r" bottle) all\b",
    r"\ba?sleep forever\b",
    r"\brather (?:die|be dead) than (?:keep )?(?:living|live|go on|going on|being alive|wake up)\b",
    r"\bwant (?:it|everything|this|all of it|the pain|it all|life) to (?:end|stop|be over)"
    r" (?:for good|forever|permanently)\b",
    r"\b(?:disappear|vanish|be gone) (?:forever|for good|permanently)\b",
    r"\bnoose\b",
    r"\bgun to my head\b",
    r"\b(?:cant|can not|cannot|cant really) (?:go on|keep living|live like this|do life|keep going"
    r" like this anymore)\b",
    r"\b(?:a |such a |just a )?burden (?:to|on|for) (?:every ?one|every ?body|my family|my kids"
    r"|the people)\b",
    r"\b(?:tired|sick) of being (?:a |such a )?burden\b",
    # ... said by the people in the writer's life ("my family would be fine without me"; not
    # "the store would be fine without me on saturdays")
    r"\b(?:every ?one|every ?body|my (?:family|kids|children|husband|wife|parents|mom|dad|friends"
    r"|bf|gf|boyfriend|girlfriend|partner|loved ones)|they|people|the world|yall|you all|my son"
    r"|my daughter)(?: would|d| will| wd)(?: all| honestly| probably| really)? be (?:fine|ok|okay"
    r"|happier|better) without me\b",
    r"\b(?:no ?one|nobody|no body) (?:would|will|d|even) (?:\w+ ){0,2}(?:care|notice|miss me)\b"
    r"(?= if i (?:died|was gone|were gone|disappeared|wasnt here|was dead|killed))",
    r"\b(?:no ?one|nobody) would (?:even )?miss me\b",
    r"\b(?:no ?one|nobody|no body) (?:\w+ ){0,2}(?:cares?|notices?|miss(?:es)?) (?:\w+ ){0,2}if i"
    r" (?:die|died|was gone|were gone|disappear\w*|wasnt here|killed|ended)\b"
    r"(?! for (?:a|an|the|like|two|three|\d+|\w+ (?:day|days|week|weeks|hour|hours|shift)))",
    r"\b(?:thinking|thought|thoughts|think|thinkin) (?:about|of|abt) (?:dying|death|ending it"
    r"|not being here|not existing|killing(?! (?:it|time|the))|ending my(?! (?:career|job|contract"
    r"|shift|lease|time|relationship|subscription|membership|marriage|streak))|taking my life"
    r"|not waking)\b",
    r"\b(?:plan|plans|planned|planning|a plan) (?:to|on|for) (?:die|dying|end|ending|kill"
    r"|killing|how to end)\b",
    r"\blast (?:day|night|week) (?:alive|on earth)\b",
    # warning signs a counsellor listens for, said without the words "die" or "suicide":
    # means kept ready, lethality looked up, self-injury, affairs put in order
    r"\b(?:saved|stashed|hid|hidden|hoarded|stockpiled|squirreled|put|set) (?:up |away |aside )?"
    r"(?:\w+ ){0,4}just in case\b",
    r"\b(?:like |about |over |almost )?\d+ (?:of )?(?:my |those |the |her |his )?(?:old |extra |leftover )?"
    r"\w+ (?:saved|stashed|hidden|hoarded|stockpiled)(?: up| away)?\b",
    r"\b(?:looked|looking|look|googled|googling|searched|searching|researched|researching|read|reading)"
    r"(?: up| into)? (?:on )?(?:how (?:much|many) )?(?:\w+ ){0,4}(?:is|are|would be|it takes to be)"
    r" (?:lethal|fatal|deadly)\b(?!.*(?<!not )for (?:a |my |the )?(?:class|exam|ptce|patients?|school"
    r"|quiz|test|work))",
    r"\b(?:burn(?:ed|t|ing)?|cut|cutting|scratch(?:ed|ing)?|carv(?:ed|ing)|stab(?:bed|bing)?)"
    r" my (?:arms?|wrists?|legs?|thighs?|skin|stomach|hips?|forearms?)\b(?= (?:\w+ ){0,6}"
    r"(?:with a (?:lighter|razor|blade|knife|cigarette|pen|scissors|match)|again|on purpose"
    r"|to feel|till|until))",
    r"\b(?:got|have|bought|buying|ive got|i have|keeping|kept) (?:the |a |my )?(?:rope|noose|gun"
    r"|pistol|razor blades?|blades?)\b(?= (?:\w+ ){0,4}(?:already|ready|in my (?:trunk|car|room"
    r"|closet|bag|locker|drawer)|hidden|loaded))",
    r"\bmy last (?:week|day|night|weekend)\b.*\b(?:set (?:it )?(?:all )?up|all set|everything"
    r" (?:is )?ready|got it all|have it all|decided|goodbyes?)\b",
    r"\b(?:set (?:it )?(?:all )?up|everything (?:is )?ready|got it all (?:planned|ready)|decided)"
    r"\b.*\bmy last (?:week|day|night|weekend)\b",
    r"\b(?:world|everyone|every ?body|my family|my kids|things|life|work) (?:would|will|d|would"
    r" all) be (?:\w+ )?(?:lighter|easier|better|happier|fine|okay|ok) without me\b",
    r"\b(?:let|letting) it (?:happen|end|all end|take me)\b(?=.*\b(?:stop taking|quit taking|not taking"
    r"|skip)\b)|\b(?:stop|quit) taking (?:it|my \w+)\b.*\blet it (?:happen|end|take me)\b",
    r"\bhow long (?:does it|would it|it) take(?:s)? to bleed out\b",
    r"\b(?:dead|die|death|gone)\b(?: \w+){0,8} (?:help it along|speed it up|speed things up)\b",
    r"\bdone with everything\b(?=.*\bnot (?:just )?(?:the |this |my )?job\b)",
    r"\b(?:wont|will not|not gonna) be (?:in|at work|back) (?:tomorrow|monday|again)\b.*\bor ever\b",
    r"\bjust in case i (?:decide|choose|finally)\b",
    r"\b(?:after|since) (?:an|my|the|a suicide) attempt\b.*\b(?:starting again|coming back|back again"
    r"|happening again)\b",
    r"\b(?:hopes?|want|wants|wish|wishes) i (?:die|was dead|were dead|d die)\b.*\b(?:same|honestly"
    r" same|me too|agree)\b",
    # not trusting oneself with the means; a plan with a day
    r"\b(?:scared|afraid|terrified) of (?:what i (?:might|could|will) do|my ?self)\b",
    r"\b(?:dont|do not|cant|can not) trust my ?self (?:alone )?(?:with|around|near)\b",
    r"\b(?:have|got|made) a plan (?:for|on) (?:friday|saturday|sunday|monday|tuesday|wednesday"
    r"|thursday|tonight|this weekend|tomorrow|after my shift)\b(?!.*\b(?:study|studying|exam|ptce"
    r"|test|interview|shift swap)\b)",
    r"\btired of fighting\b",
    # what kept me going is gone; overdose looked up for oneself; a goodbye passed off as a move
    r"\bonly (?:thing|reason|person|one) (?:keeping|that kept|that keeps|kept|keeps) me (?:going"
    r"|alive|here)\b.*\b(?:and now|now that|now its gone|but now|and its gone|is gone now)\b",
    r"\b(?:googled|googling|looked up|searched|been searching|been wondering|wondered) (?:if|whether"
    r"|how) (?:you|u|i|someone|a person) (?:can|could) (?:od|o d|overdose|die)\b",
    r"\b(?:told|said|telling|saying) (?:\w+ ){0,3}goodbye?s?\b.*\bthinks? (?:im|i m|i am) (?:just )?"
    r"(?:moving|going away|leaving|going on a trip|traveling|travelling)\b",
    # not just the job: everything ("cant do it anymore, not just this, everything")
    r"\bnot (?:just|only) (?:this|the job|this job|work|my job|the ptce|school|the exam|retail)\b"
    r"(?: \w+){0,2} (?:everything|life|all of it|living|existing|me)\b",
    # means approached and stepped back from ("sat on the bridge for an hour", "didnt do it
    # tonight"), old self-injury come back, affairs written down in a hurry
    r"\b(?:sat|stood|parked|waited|sitting|standing) (?:\w+ ){0,3}(?:on|at|by|near) the (?:bridge"
    r"|tracks|train tracks|edge|ledge|roof|overpass|cliff)\b",
    r"\b(?:drove|walked|went) (?:\w+ ){0,2}to the (?:bridge|tracks|train tracks|edge|ledge|roof|cliff)"
    r"\b(?=.*\b(?:sat|stood|stayed|didnt|almost|thought about|thinking)\b)",
    r"\b(?:didnt|did not|couldnt) (?:do it|go through with it|jump|pull the trigger)(?: \w+)?"
    r" (?:tonight|today|this time|yet|again)\b",
    r"\bused to (?:cut|self ?harm|hurt my ?self|burn my ?self)\b(?! (?:hair|coupons|grass|wood|the"
    r"|costs|hours|corners|class))(?: \w+){0,8} (?:(?:its|it s|it is|its been|it has) (?:\w+ )?back"
    r"|came back|coming back|started again|doing it again|again|relapsed)\b",
    r"\b(?:wrote|writing|written|made|wrote out|typed) (?:out |up )?my (?:own )?will\b"
    r"(?=.*\b(?:last night|tonight|notebook|kitchen|table|just in case|left it|napkin|paper)\b)",
    r"\bgiv(?:e|ing|en|ing) away (?:my|all my|all of my) (?:stuff|things|cat|dog|clothes"
    r"|belongings|pets?)\b",
    # --- said in words nobody tuned on (grown from a set written fresh, by meaning class) ---
    # a death wish misspelled: "wnat to dye", "wanna dy", "want to diee" (not "dye my hair")
    r"\b(?:want|wnat|wnt|whant|wamt|wan|wana|wnna|wanna|gonna|going|ready|need) (?:to |2 )?(?:just )?"
    r"(?:dye|dy|di)\b(?! (?:my|it|her|his|the|a|an|some|them|this|that|your|our|their|hair|eggs?"
    r"|clothes|shirts?|fabric|easter|yarn|these|those|in|of|from|for)\b)",
    r"\b(?:wnat|wnt|whant|wamt|wana|wnna) (?:to |2 )?(?:die|be dead|kill my ?self|kms|end it|not wake"
    r" up|not be here|disappear)\b",
    # slang: "catch the bus" said as an intent at the end of a clause, "ctb", "rope" as a verb
    r"\b(?:gonna|going to|might|want to|wanna|about to|bout to|finna|ready to|just|should|could)"
    r" (?:just |finally |really )?catch the bus(?: (?:fr|for real|for good|this time|tonight|soon"
    r"|lol|ngl|tbh|honestly|already|then))*$",
    r"\bctb\b|\b(?:wanna|want to|gonna|going to|bout to|about to|finna|might) rope\b",
    # no future: "not sure ill be alive to finish it", "wont be alive for my exam", "plan a is
    # not being alive"
    r"\b(?:not sure|dont know if|dont even know if|idk if|doubt|dont think|no idea if|not even sure)"
    r" (?:ill|i will|i ll|i|im gonna|im going to|i am going to) (?:even |still )?(?:be (?:alive"
    r"|living|around (?:long enough|much longer|by then|to see))|make it to see|live to see"
    r"|survive (?:the|this|till|until|to))\b",
    r"\b(?:wont|will not|not gonna|not going to) (?:even |still )?be (?:alive|living)\b",
    r"\bwont be around (?:long enough|to (?:see|use|need|take|finish))\b",
    r"\b(?:plan a|plan b|the plan|my plan|only plan|backup plan|other option|my option) is (?:to )?"
    r"(?:not (?:be|being) (?:alive|here|around)|die|dying|death|kill|end it|ending it|checking out"
    r"|unaliv\w+)\b",
    r"\b(?:rather|prefer to|prefer) (?:not )?(?:be|being) (?:dead|not alive|gone for good)\b",
    r"\bdont plan (?:on|to) (?:be|being|still be) (?:alive|around|here)\b",
    # means at hand, with thought of using them ("i have a gun at home and ive been thinking
    # about it", "the river would be easier")
    r"\b(?:gun|pistol|rifle|rope|noose|razor|blade)\b.*\b(?:(?:been|keep|kept|always|cant stop)"
    r" thinking about (?:it|using it|that)|(?:think|thought|thinking) about using (?:it|them))\b",
    r"\b(?:river|lake|ocean|bridge|rope|gun|pills|overpass|cliff|dying|death|being dead|not being"
    r" here|not existing|not waking up|ending it|the tracks) would be (?:so much |much |way )?"
    r"(?:easier|better|a relief|simpler|the answer)\b",
    r"\b(?:already|finally|just) (?:bought|got|have|tied|set up|hung) (?:a |the |my |some )?"
    r"(?:rope|noose)\b|\b(?:bought|got) (?:a |the |some )?rope$",
    rf"\b{PILLS}\b(?: \w+){{0,8}} (?:hidden|stashed|hoarded|saved|tucked away)(?: \w+){{0,5}} for"
    r" (?:my ?self|when i)\b",
    # taken on purpose, said by the writer ("i took like 30 of my sleeping pills on purpose")
    rf"\b(?:i|ive|i ve|just) (?:\w+ )?(?:took|taken|swallowed|downed|ate) (?:\w+ ){{0,5}}{PILLS}"
    r"(?: \w+){0,2} (?:on purpose|to die|to end it|so i (?:wont|dont|would not|wouldnt) wake up)\b",
    # ... with the "i" left out, the pills the writer's own ("took like 15 of my sleeping pills on
    # purpose"): the verb alone is the phrase, so the who-rules read a subject named before it
    # ("my roommate took 20 of my xanax on purpose" is hers)
    rf"\b(?:took|taken|swallowed|downed|ate)(?= (?:\w+ ){{0,4}}my (?:\w+ ){{0,2}}{PILLS}"
    r"(?: \w+){0,2} (?:on purpose|to die|to end it|so i (?:wont|dont|would not|wouldnt) wake up)\b)",
    # wished dead by chance: "hoping the robber shoots me", "praying a truck hits me"
    r"\b(?:hop(?:e|ing)|wish(?:ing)?|pray(?:ing)?) (?:that )?(?!(?:\w+ ){0,5}?(?:nobody|no one"
    r"|doesnt|dont|never|wont|not)\b)(?:\w+ ){1,5}(?:shoots|kills|hits|runs over|stabs|crashes"
    r" into|would shoot|would kill|would hit) me\b",
    # things given away, a note for the family, insurance for them
    r"\b(?:giv(?:e|ing|en)|gave) (?:away )?(?:all )?(?:of )?my (?:stuff|things|belongings|possessions"
    r"|clothes|games|jewelry)(?: away)?\b(?<=away)|\b(?:giv(?:e|ing|en)|gave) away (?:all )?(?:of )?my"
    r" (?:stuff|things|belongings|possessions)\b",
    r"\b(?:wrote|writing|write|written|left|leaving|leave) (?:a |my )?(?:last )?(?:note|letter)s? (?:for|to)"
    r" (?:my )?(?:mom|mum|mother|dad|father|parents|family|kids|children|wife|husband|sister"
    r"|brother|son|daughter|partner|boyfriend|girlfriend|everyone|best friend)\b(?! (?:about|that"
    r"|asking|saying (?:thanks|thank|happy|sorry i)|telling|so|because|bc|reminding|with|on the"
    r"|for (?:school|work|the|their|her|his)|to (?:ask|say thanks|tell|remind|pick|call)|when|if))",
    r"\bbetter off with (?:my |the )?(?:life )?insurance\b",
    # a past attempt with intent now: "tried to od last year, this time ill do it right"
    r"\b(?:tried to (?:od|overdose|kill|end|die|hang|unalive)|attempted|attempts?|overdosed)\b.*\b(?:this"
    r" time|next time) (?:ill|i will|i ll|im gonna|im going to|i am going to|i wont) (?:do it right"
    r"|get it right|finish it|finish the job|make sure|not fail|succeed|not mess (?:it )?up|mess (?:it )?up)\b",
    r"\b(?:another|a different|the other|the easy|an easy) way out\b(?! of (?:retail|this|the|my"
    r"|pharmacy|it|here|that))(?= (?:instead|permanently|for good|forever|like permanently)|$)",
]

# An emergency happening now, said plainly (English emergencies are otherwise read from the
# embedding of the whole message and of each clause).
EMERGENCY_EN = [
    r"\b(?:is |just |started |keeps |been )?(?:seizing|having a seizure|convulsing)\b",
    r"\b(?:is not|isnt|not|stopped|cant|can t|cannot) breath(?:e|ing)\b",
    r"\b(?:just |has )?collapsed\b",
    r"\b(?:unconscious|unresponsive)\b",
    r"\b(?:wont|will not|doesnt|isnt|cant) (?:wake up|respond|waking up|responding)\b",
    r"\b(?:turning|turned|going) blue\b",
    r"\blips (?:are |look |turned )?blue\b",
    r"\b(?:overdosed|ODd|od d)\b(?! on (?:coffee|caffeine|sugar|candy|chocolate|energy drinks?|red"
    r" ?bull|monsters?|cold brew|espresso|netflix|tiktok|work|overtime|pizza|carbs))",
    # a count of pills no dose is ("she took 20 tylenol", "swallowed like 30 of his xanax"),
    # not a regimen ("took 20 tablets a day")
    r"\b(?:took|taken|swallowed|downed|ate) (?:like |about |around |maybe |over |almost )?"
    r"(?:[1-9]\d|a dozen|dozens of|twenty|thirty|forty|fifty)\+? (?:of (?:his |her |their |my |the )?)?"
    r"(?:\w+ ){0,2}" + PILLS + r"\b(?! (?:a|per|each|every) (?:day|week|month)| daily)",
    r"\bchoking\b(?! hazard| under (?:pressure|stress)| (?:on|during|in) (?:the |my |a |that |tests?"
    r"|exams?|interviews?|practice|timed))",
    r"\bbleeding (?:a lot|heavily|everywhere|wont stop|and it wont stop)\b",
]

# Someone else: the same acts, about him, her or them.
OTHER_PILLS = (r"(?:" + PILLS + r"|adderall|vyvanse|valium|ativan|prozac|zoloft|lexapro|trazodone"
               r"|amitriptyline|oxycodone|hydrocodone|fentanyl|morphine|pain ?killers|meds)")
THEM = r"(?:him ?self|her ?self|them ?sel(?:f|ves)|their ?self)"
OTHER_EN = [
    r"\bbetter off (?:with (?:him|her|them) (?:dead|gone)|without (?:him|her|them))\b",
    r"\b(?:cant|can not|cannot|couldnt) live with (?:him|her|them) ?(?:self|selves)\b",
    r"\b(?:his|her|their) life insurance (?:is|was|would be) (?:worth|more)\b",
    r"\b(?:nice|good|great) knowing (?:you|u|yall|ya|everyone)\b",
    r"\bsorry for everything\b.*\b(?:(?:not|isnt|hasnt|wont|stopped) (?:answering|picking up"
    r"|responding|replying)|offline)\b",
    r"\bi think (?:shes|hes|she is|he is|theyre|they are) planning something\b",

    r"\b(?:nobody|no one|noone) would (?:even )?(?:care|notice|miss (?:him|her|them)) if (?:he|she"
    r"|they) (?:died|was gone|were gone|disappeared)\b",
    r"\b(?:nobody|no one|noone|no ?body) (?:needs|wants|would miss) (?:her|him|them) (?:anymore|any"
    r" more|around|here)\b",
    r"\bwish(?:es|ed)? (?:he|she|they) (?:was|were|had) (?:never been born|never born|dead|not born"
    r"|not alive|gone for good)\b",
    r"\b(?:nobody|no one|noone|no ?body) (?:would|will|d) (?:even )?(?:miss|notice|care about)"
    r" (?:him|her|them)\b",
    # a threat reported of someone else ("shes swallowing the whole shelf")
    r"\b(?:shes|hes|she is|he is|she s|he s|theyre|they are|she will|he will|shell|hell|shed|hed)"
    r"(?: gonna| going to)? (?:swallow|take|down|chug|drink)(?:ing)? (?:the |a |her |his |their )?"
    r"(?:whole|entire|all (?:of )?(?:the|her|his|their))\b",
    rf"\b(?:kill|killing|killed|hurt|hurting|harm|harming|cut|cutting|hang|hanging|shoot"
    rf"|shooting|off|offing|unalive|unaliving|end|ending|poison|poisoning|burn|burning|starve"
    rf"|starving|drown|drowning) {THEM}\b",
    r"\bend(?:ing)? (?:his|her|their) (?:own )?li(?:fe|ves)\b",
    r"\b(?:take|taking|took) (?:his|her|their) (?:own )?li(?:fe|ves)\b",
    r"\b(?:wants|tried|tries|planning|plans|threatened|threatening|talks about|talked about"
    r"|talking about|keeps talking about|keeps saying) (?:to )?(?:die|dying|be dead|end it"
    # ... "kill" with no one named after it ("wants to kill our district manager" is a figure)
    r"|kill(?! (?:the|our|my|your|his|her|their|a|an|this|that|these|those|every|some|all|him"
    r"|her|them|it|every ?one|every ?body|some ?one|some ?body|people|us|you|u|me)\b)"
    r"|suicide|ending it|not be here)\b",
    r"\b(?:took|taken|swallowed|takes|has taken) (?:a bunch of |all |all of |too many |a bottle of "
    r"|the whole bottle of |a handful of )?(?:his|her|their) (?:\w+ )?" + PILLS + r" on purpose\b",
    r"\b(?:took|taken|swallowed|overdosed)\b.*\bon purpose\b",
    r"\b(?:his|her|their) (?:goodbye|suicide) (?:notes?|letters?|messages?|texts?)\b",
    # a note someone came upon ("found a note in her locker that sounded like a suicide note"):
    # no one finds their own
    r"\b(?:found|find|saw|read|came across|come across) (?:a |the |this |some )?(?:(?!my\b)\w+ ){0,8}"
    r"(?:suicide|goodbye) (?:notes?|letters?)\b",
    r"\b(?:gave|giving|gives|given) (?:me |us |away )?(?:all )?(?:of )?(?:his|her|their) (?:stuff"
    r"|things|belongings|possessions|dog|cat|pets?|jewelry|clothes|games|guitar|savings)\b",
    r"\bsaying (?:his|her|their) goodbyes\b",
    r"\b(?:take care of|look after|keep|have) (?:\w+ ){0,3}if anything (?:happens|were to happen"
    r"|ever happens) to (?:her|him|them)\b",
    r"\b(?:shes|hes|theyre|she is|he is|they are) (?:been )?(?:cutting|self harming)\b",
    r"\b(?:fresh |new )?cuts on (?:his|her|their) (?:wrists?|arms?|legs?|thighs?)\b",
    r"\bsuicidal (?:patients?|customers?|callers?|persons?|people|coworkers?|friends?)\b",
    r"\bcuts? (?:all )?(?:over|on) (?:his|her|their)\b",
    r"\b(?:gave|giving) away (?:his|her|their)\b",
    r"\b(?:shes|hes|theyre|she|he|they) (?:wont|will not|dont|doesnt) need (?:it|them|this|these"
    r"|anything)\b",
    r"\bbetter off without (?:him|her|them)\b",
    r"\b(?:would|d|will|would all|wd) (?:all )?be (?:fine|ok|okay|happier|better) without"
    r" (?:him|her|them)\b(?! (?:as|at|on|for|in|if|when) )",
    rf"\b(?:cuts?|burns?|hurts?|harms?) {THEM}\b",
    rf"\b(?:use|using) (?:it|a gun|the gun|them) on {THEM}\b",
    r"\b(?:take|taking) all (?:his|her|their) (?:refills|pills|meds|medication)\b",
    r"\bhoarding (?:his|her|their) (?:\w+ )?(?:pills|meds|medication)\b",
    r"\bdoes it (?:to )?(?:her|him|them)sel(?:f|ves)\b",
    # a picture of pills sent by someone ("friend snapped me a pic of pills in her hand")
    r"\b(?:sent|texted|snapped|showed|posted|dmed|messaged) me (?:a |an |this )?(?:pic|pics"
    r"|picture|photo|selfie|snap|video|screenshot)s? of (?:\w+ ){0,4}" + OTHER_PILLS + r"\b",
    # means gathered or taken by someone, with an end in view ("stockpiling her adderall",
    # "took her whole bottle of ambien to die"); taken with no word of intent is an emergency
    r"\b(?:saving|stockpiling|hoarding|stashing|collecting|saving up|hiding) (?:up )?(?:all )?"
    r"(?:his|her|their) (?:\w+ ){0,2}" + OTHER_PILLS + r"\b"
    # ... but not pills hidden away from the writer ("my mom hides her pills from me"): kept
    # from someone, not gathered for an end
    r"(?! (?:away )?from (?:me|us|my|the kids|the grandkids))",
    r"\b(?:took|taken|swallowed|downed) (?:\w+ ){0,3}(?:his|her|their) (?:\w+ ){0,3}"
    r"(?:" + OTHER_PILLS + r"|bottle)\b(?: \w+){0,4} (?:to die|to end it|on purpose|to kill"
    r" (?:him|her|them) ?sel(?:f|ves)|to not wake up)\b",
    # a whole supply taken, or about to be, whatever the drug ("took her whole month of
    # metoprolol", "going to inject all her insulin tonight")
    r"\b(?:took|taken|swallowed|downed|injected) (?:all (?:of )?(?:his|her|their) |(?:his|her|their)"
    r" (?:whole|entire) |the whole |a whole )(?:month|months|week|weeks|bottle|supply|script"
    r"|prescription|pack|box|refill|vial|pen)s?(?: s)?(?: worth| supply)? of\b",
    r"\b(?:going to|gonna|wants to|about to|planning to|plans to|will) (?:take|inject|swallow|down"
    r"|od on) all (?:of )?(?:his|her|their) \w+",
    r"\bso (?:she|he|they) (?:doesnt|does not|dont|wont|will not|can never|will never|never)"
    r" (?:wake|wakes) up\b",
    r"\b(?:crash|crashing|drive|driving|swerve|swerving|steer|steering) (?:his|her|their)"
    r" (?:car|truck) (?:off|into) (?:a |the |some |oncoming )?(?:wall|tree|bridge|pole|barrier"
    r"|traffic|ditch|overpass|median|guardrail|cliff|road|river|lake)\b",
    # means at hand, said of someone, with an end in view ("said he has a gun and his rx is the
    # last thing he needs")
    r"\b(?:said|says|told me|mentioned|texted) (?:that )?(?:he|she|they) (?:has|have|got|bought"
    r"|keeps|is keeping) (?:a |his |her |their )?(?:gun|rope|noose|pills saved|stash)\b"
    r".*\b(?:last (?:thing|time|refill)|for (?:him|her|them)sel(?:f|ves)|end it|use it on"
    r"|goodbye|wont need|not need)\b",
]

# Hyperbole and distress: the answer, then one line naming 988.
DISTRESS_EN = [
    # life at a workplace ("im so done with life at this store, how do i transfer")
    r"\bdone with (?:life|it all|everything) (?:at|in) (?:this|the|my|our) (?:store|job|pharmacy"
    r"|place|location|company|hospital|work|retail|walgreens|cvs)\b",
    # sleep wished for a while, not forever ("i just want to sleep for a week after this month")
    r"\b(?:want|wanna|need|could|gonna|going to) (?:to )?sleep (?:for )?(?:a|an|one|two|three|\d+"
    r"|like a|like \d+) (?:whole )?(?:week|weeks|day|days|month|months|year|hours?)\b",
    r"\b(?:killing|kill|killin|murdering|destroying) (?:me|my soul|my back|my feet|my will)\b",
    # a body's aches, the writer's or another's ("her hands are killing her from cutting pills")
    r"\b(?:hands?|back|feet|foot|knees?|wrists?|legs?|neck|shoulders?|head|eyes|arms?|hips?)"
    r" (?:is|are|r|been|have been|has been) (?:\w+ )?killing (?:me|her|him|them)\b",
    # a future at a job not seen ("i cant see myself being around this place another year")
    rf"\b(?:see|picture|imagine) {ME} (?:being |staying |working |still )?(?:around|at|in|here at)"
    r" (?:this|that|the|my) (?:place|job|store|pharmacy|company|hospital|career)\b",
    # a relationship or a job ended, not a life ("good time to end things with my manager")
    r"\bend(?:ing)? things (?:off )?with (?:my |his |her |their |the |this |that |our |a |an )?"
    r"(?:manager|boss|supervisor|pharmacist|rph|bf|gf|boyfriend|girlfriend|husband|wife|partner"
    r"|fianc\w*|ex|him|her|them|job|store|company|employer|pharmacy|school|program|landlord"
    r"|roommate|friend|coworker|co worker|guy|girl|dude|walgreens|cvs|hospital)\b",
    r"\bim (?:literally |actually |lowkey |slowly )?dying\b",
    r"\bdying (?:inside|here|at work|of|from|lol|lmao)\b",
    r"\b(?:dead|death) (?:tired|on my feet|inside)\b",
    r"\bdrowning\b",
    r"\b(?:so|soo|completely|totally|just|fully) (?:done|over it)\b"
    r"(?! (?:with (?:life|living|everything|it all|existing|being alive|this world|this life)))",
    r"\b(?:quit|quitting) (?:everything|it all|all of it)\b",
    r"\b(?:cant|can not|cannot) (?:take|handle|do) (?:it|this|this job|this shit|much more)"
    r"(?: anymore| any more| much longer)?\b",
    r"\blosing my mind\b",
    r"\b(?:want|wanna) to (?:scream|cry|run away|disappear)\b"
    r"(?! (?:for good|forever|permanently|and never|for ever))",
    r"\b(?:mental|nervous) breakdown\b",
    r"\bbreaking down\b",
    r"\bpanic attacks?\b",
    r"\bcry(?:ing)? (?:in|at|every|before|after|during|on)\b",
    r"\bhopeless\b",
    r"\bdepress(?:ed|ion|ing)\b",
    r"\bhate my life\b",
    r"\brather (?:die|be dead)\b(?! than (?:keep )?(?:living|live|go on|going on|being alive"
    r"|wake up)\b)",
    r"\b(?:kill|shoot) me now\b",
    r"\bfalling apart\b",
    r"\bat my (?:breaking point|wits end|limit)\b",
    r"\bnumb\b",
    r"\b(?:die|dying|died) (?:of|from) (?:embarrassment|laughter|laughing|boredom|shame|cringe)\b",
    r"\b(?:could|gonna|going to) die (?:of|from|if)\b",
    r"\bif i have to (?:\w+ ){1,8}(?:im|i m|i am) (?:gonna|going to) die\b",
    r"\b(?:be|is) the death of me\b",
    r"\bto death\b",
    r"\bend of my rope\b",
    r"\bmiserable\b",
    r"\b(?:personal |living )?hell\b",
    r"\b(?:almost |nearly )?broke me\b",
    r"\bheart attack\b",
    r"\bwalking (?:corpse|zombie|dead)\b",
    r"\bsuffocating\b",
    r"\bmentally (?:checked out|drained|fried|exhausted|done)\b",
    r"\b(?:my )?\w+ (?:are|is) (?:literally )?dying\b",
    r"\bcannot with\b",
    r"\bsuicide (?:mission|run|shift|schedule)\b|\bfake my (?:own )?death\b",
    r"\bcrawl (?:in|into) a hole and die\b",
    r"\b(?:somebody|someone|some1|sb) (?:please |pls |plz )?(?:end|kill|shoot|murder) me\b",
    # the work drains the life out of me: said as death, without meaning it
    r"\b(?:sucking|sucks|sucked|draining|drains|drained) (?:the )?(?:life|soul|joy) (?:out of|outta)"
    r" me\b",
    r"\bsoul (?:left|leaving|leaves|has left) my body\b",
    r"\b(?:died|dying|dead|die) (?:laughing|of laughter|from laughing)\b",
    r"\b(?:exhausted|tired|drained) beyond words\b",
    r"\b(?:like a|a|im a|such a) (?:zombie|corpse|ghost)\b",
    r"\b(?:got|getting|get|were|we got|been) (?:absolutely |totally |so )?(?:killed|murdered|destroyed"
    r"|slaughtered|wrecked|obliterated|demolished)\b",
    r"\bkilled me\b",
    # an exam, a shift or a class that "murdered" someone ("the pharmacology final murdered her")
    r"\b(?:final|finals|exam|exams|test|quiz|shift|class|midterm|ptce|week|day|clinicals?)"
    r" (?:literally |lowkey |absolutely |totally )?(?:murdered|killed|destroyed|wrecked)"
    r" (?:me|her|him|them|us)\b",
    # working or studying hard, said as killing oneself ("killing herself studying for the
    # exam"), and an overdose of coffee
    r"\bkill(?:ing|in|s)? (?:my|him|her|them) ?sel(?:f|ves) (?:studying|working|at work|with (?:these"
    r"|those|the|this|all)|trying to|to (?:get|pass|make|finish|keep|cover))\b",
    r"\b(?:overdos\w*|od|od d|ods) on (?:coffee|caffeine|sugar|candy|energy drinks?|monsters?"
    r"|red ?bull|espresso|cold brew)\b",
    r"\bif i (?:have to |gotta |need to |must )?(?:\w+ ){1,8}(?:im|i m|i am|i|ill|i will) (?:\w+ )?"
    r"(?:gonna|going to|literally|actually|will|ll) (?:literally )?die\b",
    r"\bone more (?:\w+ ){1,6}(?:and )?(?:im|i m|i am|i|ill) (?:\w+ )?(?:gonna|going to|will) die\b",
    # worn out, said of oneself ("im so fried", "burnt out beyond belief")
    r"\b(?:im|i m|i am|feeling|feel|brain is|brains|brain s|so|just|totally|completely) (?:so |really "
    r"|super |very |completely |totally |beyond |absolutely )?(?:fried|cooked|toast|drained|exhausted"
    r"|overwhelmed|wiped out|running on empty)\b",
    r"\b(?:burnt|burned) out beyond\b|\bburnt to a crisp\b|\bbrain is (?:mush|mashed potatoes|soup)\b",
    # wanting out, all at once
    r"\b(?:gonna|going to|about to|bout to) (?:lose it|snap|quit on the spot|walk out)\b",
    r"\bwalk out (?:mid|in the middle|during|on) (?:shift|my shift|the shift)\b",
    r"\b(?:crawl|hide|sink) (?:in|into|under) a (?:hole|rock)\b",
    r"\bmove to the woods\b",
    # low, said of oneself
    r"\b(?:feel|feeling|felt|feels|im|i m|i am) (?:so |really |super |very |kinda |pretty |just )?"
    r"(?:worthless|useless|like a failure|like garbage|like crap|like shit|like trash|awful|low|down"
    r"|lonely|alone|empty|flat|stupid|like nothing)\b",
    r"\bso lonely\b",
    # drained, at the bottom, giving up on a goal, anxious, in tears
    r"\b(?:draining|drains|drained|wrecking|ruining|destroying|killing|wrecked|ruined|destroyed)"
    r" (?:me|my (?:mental health|mental|sanity|soul|spirit|will to live|whole life))\b",
    r"\b(?:at |hit |hitting |reached )?rock bottom\b|\b(?:im|i m|i am|feel like) (?:such |a |an "
    r"|complete |total |hot )+(?:mess|wreck|disaster|failure)\b",
    r"\b(?:giving|give|gave) up on (?:the |my )?(?:ptce|exam|cert\w*|school|this|pharmacy|it"
    r"|everything|my dreams?)\b|\bthrow(?:ing)? in the towel\b",
    r"\b(?:anxiety|stress) (?:is |has been )?(?:through the roof|off the charts|so bad|awful)\b"
    r"|\b(?:so|really|super|constantly) anxious\b",
    r"\b(?:could|wanna|want to|about to|gonna) cry\b|\bcried (?:in|at|during|after|before|all)\b",
    r"\b(?:i|just) want out\b",
    r"\b(?:just |somebody |someone |please |pls )?shoot me\b",
    r"\b(?:im|i m|i am) (?:literally |actually |so |fr )?dead (?:lol|lmao|lmfao|haha|hahaha|rn)\b",
    r"\bbane of my existence\b|\bso over (?:this|it|my|the)\b",
    r"\b(?:sucking|sucks|draining|drains|killing|kills|crushing|destroying) (?:the |my )?will to live\b",
    r"\b(?:lose|losing|lost) my (?:mind|marbles|sanity)\b|\bgo(?:ing)? (?:crazy|insane|nuts)\b",
    r"\bcurl up and die\b|\bbang(?:ing)? my head (?:against|on) (?:a|the) (?:wall|desk|counter)\b",
    r"\b(?:so bad|so much) it hurts\b",
    # the job, not life: "cant keep doing this for 14 an hour", "dont want to go in", "done
    # trying at this job", "hate waking up for work", "dont even recognize myself"
    r"\b(?:cant|can t|cannot|can not) (?:keep )?(?:doing|do) this (?:for|at|with|job|shift|schedule"
    r"|pay)\b",
    r"\b(?:dont|do not|never) want to go (?:in|to work|back in)\b|\bhate (?:waking up|getting up)"
    r" (?:for|to go to|and going to) (?:work|my shift|the pharmacy)\b",
    r"\bdone (?:trying|caring) (?:at|with|for) (?:this|my|the) (?:job|store|pharmacy|place|company)\b",
    r"\b(?:dont|do not|barely) (?:even )?recognize my ?self\b|\bno energy for anything\b"
    r"|\bdont have (?:the |any )?energy (?:for|to do) anything\b",
    r"\bmy life is (?:just )?(?:work|working)(?: and)? sleep\b|\b(?:im|i m|i am) not ok(?:ay)? lately\b",
    r"\b(?:pointless|meaningless) (?:at|in) (?:work|this job|my job|the pharmacy|this store|retail)\b",
    r"\bdisappearing (?:at|in) (?:this|my|the) (?:job|work|store|pharmacy)\b|\btired of everything"
    r" (?:at|in|about) (?:this|my|the|work)\b",
    r"\b(?:give|giving) up on (?:becoming|being|ever being|getting)\b|\blost (?:all )?(?:my )?"
    r"motivation\b|\bnothing i do is (?:ever )?(?:good enough|right)\b",
    # worn out after work: "go home and just lay there", "sleep through my days off"
    r"\b(?:just )?(?:lay|lie|lying|laying|rot|rotting) (?:there|in bed|on the (?:couch|floor))\b"
    r"|\bsleep (?:on|through|all (?:day )?on) my (?:days off|day off|weekends?)\b",
    # running on empty, dread, sleep lost to worry, sad said plainly, treated badly, stuck
    r"\brunning on (?:fumes|empty|fumes and coffee)\b|\bnothing left in the tank\b"
    r"|\bbarely (?:holding it together|hanging on|keeping it together|functioning)\b",
    r"\b(?:dread|dreading|dreaded) (?:going (?:in|to work)|work|my shifts?|every shift|mondays?)\b"
    r"|\b(?:sunday )?scaries\b",
    r"\b(?:stressed|anxious|worried|stress|anxiety)\b.*\b(?:cant|can t|cannot|can not) (?:sleep|eat)\b",
    r"\b(?:sad|crying|down|miserable) all the time\b|\b(?:cant|can t|cannot) stop crying\b"
    r"|\bin tears\b",
    r"\btreated like (?:garbage|trash|dirt|crap|shit|a doormat|a robot)\b|\bnobody (?:here |at (?:my|the)"
    r" (?:store|pharmacy|work|job) )?respects me\b|\bfeel(?:ing)? (?:so )?(?:disrespected"
    r"|unappreciated|invisible|worthless)\b",
    r"\bfeel(?:ing)? (?:so |super |really |completely )?(?:stuck|trapped|unmotivated|hopeless)\b",
    r"\bmental health (?:is |has been )?(?:in the toilet|shot|trash|gone|tanking|in shambles"
    r"|suffering|at an all time low)\b",
    r"\bcry(?:ing)? (?:my eyes out|every day|all the time|myself to sleep)\b",
]

# Denials said as a whole ("not in danger", "not gonna do anything stupid"): the answer, with
# the gentle line.
DENIAL_EN = [
    # Denials of intent ("not suicidal", "would never hurt myself"): they deny the wording they
    # name and what comes before it in the clause, not a wish said after them ("im not suicidal
    # i just dont want to wake up") nor in another clause ("i would never do it but i think
    # about dying").
    r"\b(?:would|will|could|d|id|i d|ill|i ll) (?:never|nvr|nevr|neva) (?:\w+ )?(?:hurt|harm|kill"
    r"|cut|do anything|do it|do that|go through with it)\b",
    r"\b(?:never|nvr|nevr|neva) (?:would|will) (?:i )?(?:hurt|harm|kill)\b",
    r"\b(?:not|nott|never|nvr|nevr|neva|im not|i m not|wasnt|was not|aint) (?:trying|tryna|tryin|going"
    r"|gonna|gunna|goin|planning|thinking|looking) (?:to |of |on |about )?(?:unaliv\w*|kill\w*"
    r"|hurt\w*|harm\w*|end|die|dying|ending|anything|off|suicide)\b",
    r"\bnot (?:a danger|in danger|suicidal|going to do anything|planning anything)\b",
    r"\b(?:fine|ok|okay|safe) safety ?wise\b",
    r"\bnot die\b",
    r"\bnot doing that (?:now|anymore|any more)\b",
    r"\b(?:dont|do not) have (?:any )?(?:thoughts|plans) of\b",
    r"\b(?:not|nott|never|nvr|nevr|neva|im not|i am not) (?:in (?:any )?danger|gonna do anything"
    r"|going to do anything"
    r"|gonna do something|going to do something)\b",
    r"\b(?:wont|will not|aint gonna|not gonna|not going to) (?:do|try) (?:anything|something|it)"
    r"(?: stupid| drastic| dumb| bad)?(?: to (?:my ?self|me))?\b",
    r"\b(?:no|zero|0) (?:plans?|intention|intentions|thoughts?|urges?) (?:to|of) (?:hurt|harm|kill|end"
    r"|die|suicide|self)\w*\b",
    r"\bnot (?:\w+ )?(?:or|nor|and) suicidal\b",
    r"\bno (?:self ?harm|suicid\w*|thoughts? of (?:suicide|dying|ending))\b",
    r"\b(?:never|nvr|nevr|neva) been suicidal\b",
    r"\b(?:wouldnt|would not|couldnt|could not) (?:ever |really |actually )?(?:hurt|harm|kill|do"
    r" anything|do it)\b",
    r"\b(?:never|nvr|nevr|neva) (?:about|of) (?:hurting|harming|killing|ending|suicide|dying)\b",
    r"\b(?:no|zero|not any) (?:desire|wish|urge|want) (?:to|of) (?:die|be dead|end it|kill|hurt)\b",
    r"\bnot (?:in )?(?:a|the|that|like a|like the) (?!(?:job|work|career|retail|pharmacy|quitting)"
    r" (?:kind|way|sense)\b)(?:\w+ ){0,3}(?:way|kind|sense)\b",
    r"\bnot (?:in )?(?:a |that |any )?(?:dark|bad|scary|dangerous|unsafe) (?:place|headspace|space"
    r"|spot)\b",
    r"\b(?:not|nott|never|nvr|nevr|neva|im not|i m not) (?:trying|going|gonna|planning|about) (?:to )?(?:jump|od|overdose"
    r"|do anything|do something)\b",
    r"\bnot (?:in (?:a )?crisis|a crisis|in any crisis)\b",
    r"\b(?:nah|no) im not (?:trying|gonna|going) to die\b",
    # self-harm denied outright ("no im not cutting, the scratches are from the shelves")
    r"\b(?:im not|i m not|i am not|not) (?:cutting|self ?harming|hurting my ?self)\b",
]

# Taking back what was said ("i didnt mean it", "jk", "was being dramatic"): covers the clause
# and the one before it.
RETRACTION_EN = [
    r"\b(?:didnt|did not|dont|do not|never) (?:really |actually )?mean (?:it|that)\b",
    r"\b(?:its|it s|thats|that s) not like i (?:want|wanna)\b",
    r"\bnone of that\b",
    r"\b(?:honestly )?said no\b",
    r"\b(?:just |only )?a figure of speech\b",
    r"\b(?=(?:was|were|im|i m|i was) )(?<!think )(?<!thinks )(?<!thought )(?<!say )(?<!says )"
    r"(?<!said )(?:was|were|im|i m|i was) (?:just |only )?(?:joking|kidding|being dramatic)\b",
    r"\b(?:joke|joking|joked|kid|kidding) (?:around )?(?:about|abt) (?:dying|death|wanting to die"
    r"|killing my ?self|kms|suicide|ending it|unaliving)\b",
    r"\b(?:said|say|saying) (?:\w+ ){0,6}as a joke\b",
    r"\b(?:it|that|this) was (?:just |only |all )?(?:a joke|joking|kidding)\b",
    r"\b(?:wasnt|was not|werent|not|im not|i m not) (?:being |actually |really )?(?:serious|literal)"
    r"(?:ly)?\b",
    r"\bnot (?:literally|for real|actually)\b(?! (?:kidding|joking))",
    r"\b(?:dont|do not|don t) actually want to (?:die|be dead|kill my ?self|end it)\b",
    r"\b(?:jk|jkjk|just kidding|j k)\b",
    r"\b(?:figuratively|metaphorically|hyperbole)\b",
    r"\bi mean (?:it |that )?(?:like )?(?:from|of|figuratively|metaphorically|as a joke|jokingly"
    r"|in a (?:funny|joking|dramatic))\b",
    # "done with life at this store, i meant the store not like life life"
    r"\bi (?:meant|mean) (?:the|my|this|that) (?:store|job|work|shift|pharmacy|place|career|retail"
    r"|company|location)\b",
    r"\bnot (?:like )?(?:my )?(?:life life|real life|actual life|life)\b(?! (?:matters|is|means|has"
    r"|will|gets|would|feels|worth))",
]

# The past, said as past, read on the whole message: the clauses it spans are not read as a
# crisis ("had dark thoughts years ago but im ok now", "used to self harm, doing good now").
PAST_EN = (
    r"\b(?:had|used to have|had some|used to|struggled with|dealt with|was|i was) (?:\w+ ){0,3}(?:dark|those"
    r"|bad|suicidal|self ?harm\w*|cutting|cut|thoughts|struggle|urges)\b.*?\b(?:(?:im|i m|i am)"
    r" (?:doing )?(?:ok|okay|fine|good|safe|better|well) now|doing (?:good|better|ok|okay|well) now"
    r"|not anymore|no longer|years ago|long time ago|back then|havent in years|been clean"
    r"|(?:\d+|a|one|two|three|four|five) (?:years?|yrs?|months?) clean|clean (?:for|since))\b"
    # ... and a past attempt with the writer well now ("attempted last year, doing better now";
    # "attempted in 2019" alone says nothing of now: "... and i feel like doing it again")
    r"|\battempted\b(?!.*\b(?:again|still (?:have|got|keep|think|want|feel)|pills|meds|rope|gun"
    r"|plan)\b).*?\b(?:(?:im|i m|i am) (?:doing )?(?:ok|okay|fine|good|safe|better|well) now"
    r"|doing (?:good|better|ok|okay|well) now|not anymore|no longer)\b"
    # ... and someone else's past attempt, with them well now and nothing about now ("told me
    # her son tried to kill himself 2 years ago and hes doing great now")
    r"|\btried to (?:kill|hurt|end) (?:him|her|them) ?sel(?:f|ves)\b(?!.*\b(?:again|still"
    r"|pills|meds|rope|gun|plan)\b).*?\b(?:(?:hes|shes|he is|she is|theyre|they are)"
    r" (?:doing )?(?:ok|okay|fine|good|great|safe|better|well)|doing (?:good|great|better|ok|okay"
    r"|well) now)\b"
)
# A word of the words between a question about the writer's safety and its answer: none that
# could say a crisis of its own ("mom thinks im going to hurt myself, i want to die honestly, im
# fine though" answers nothing).
_CALM_WORD = (r" (?!(?:die|dying|dead|death|kill\w*|suicid\w*|my ?self|end|ending|unaliv\w*|kms"
              r"|cut\w*|hurt\w*|overdos\w*|pills|live|living|alive|exist\w*|gone)\b)\w+")
# A crisis word asked and answered no at once ("suicide? nah. quitting? absolutely").
ASKED_AND_ANSWERED_EN = (
    r"^(?:\w+ ){0,3}(?:suicid\w*|kms|kill my ?self|self ?harm\w*|hurt my ?self|ending it|end it"
    r"|dying|wanting to die|want to die|dead)"
    r" (?:nah|nope|no|hell no|never|not at all|absolutely not|lol no|lmao no)\b"
    # ... or asked by someone else and answered ("my mom asked if im suicidal and im not")
    r"|(?:^(?:\w+ ){0,5})?\b(?:asked|asks|asking|ask|wondered|wondering|worried) (?:me )?(?:if|whether) (?:im|i m|i am"
    r"|i was|id|i would) (?:\w+ ){0,2}(?:suicidal|thinking (?:about|of) (?:suicide|killing|hurting"
    r"|ending)|going to (?:hurt|kill)|gonna (?:hurt|kill)|safe)\b(?:" + _CALM_WORD + r"){0,3}? (?:im not|i m not"
    r"|i am not|im not at all|no|nope|nah|i said no|i told (?:her|him|them) no|i wasnt|im fine"
    r"|i am fine|im safe)\b"
    # ... or thought of the writer by someone else and denied ("my classmate thinks im suicidal
    # because of something i posted, im not")
    r"|\b(?:thinks?|thought|assumed?|assumes|worries|worried) (?:that )?(?:im|i m|i am|i was|id)"
    r" (?:\w+ ){0,2}(?:suicidal|(?:going to|gonna) (?:hurt|kill) my ?self)\b(?:" + _CALM_WORD + r"){0,16}?"
    r" (?:im not|i m not|i am not|i wasnt|i was not|(?:im|i am) (?:totally |really |actually "
    r"|completely )?(?:fine|safe|ok|okay))\b"
    # ... or asked whether the writer is safe, and answered yes ("dad asked if im safe after my
    # breakup and yeah i am")
    r"|\b(?:asked|asks|asking|ask|wondered|wondering|checked) (?:me )?(?:if|whether) (?:im|i m|i am"
    r"|i was) (?:ok|okay|safe|alright)\b(?:" + _CALM_WORD + r"){0,5}? (?:yeah|yes|yep|yup) (?:i am|im (?:fine|ok|okay"
    r"|safe|good))\b"
)

# Someone's death or injury told of, in the past, with no word of danger: what the
# embeddings alone read as someone else in crisis is grief or an accident ("how do i help my
# coworker whos grieving, her brother passed", "our pharmacist cut her hand on a vial").
GRIEF_EN = (
    r"\b(?:died|passed away|passed|grieving|grief|funeral|bereavement|hospice|widow\w*|condolences"
    r"|late (?:wife|husband|son|daughter|mom|dad|mother|father|spouse|partner)|dead (?:spouse|wife"
    r"|husband|mom|dad|son|daughter)|lost (?:her|his|their|my) (?:mom|dad|mother|father|husband"
    r"|wife|son|daughter|baby|brother|sister|friend|best friend|partner))\b"
    r"|\b(?:cut|sliced|burned|burnt|broke|hurt|injured) (?:her|his|their) (?:hand|finger|thumb|arm"
    r"|wrist|leg|ankle|back|foot)\b(?= (?:on|with|at|lifting|falling|in|while))"
    r"|\bhad a (?:seizure|heart attack|stroke|panic attack) (?:at work )?(?:last|yesterday|a few"
    r"|two|three|\d+)\b"
)
# ... unless a word says the living are in danger ("she wants to join him", "keeps saying she
# cant go on without him").
NOT_GRIEF_EN = (
    r"\b(?:join|be with|go be with|follow) (?:him|her|them)\b|\bwithout (?:him|her|them)\b"
    r"|\b(?:suicid\w*|kill\w*|overdos\w*|stockpil\w*|hoard\w*|die|dying|end it|ending it|alive|live"
    r"|living|cant go on"
    r"|wake up|goodbye|gone|hurt (?:her|him|them)sel\w*|cut\w* (?:her|him|them)sel\w*|cuts|scared"
    r"|worried|plan|gun|rope|bridge|note|letter)\b"
)

# Someone else's death by suicide, told of in the past ("my coworker killed herself last year",
# "lost my brother to suicide"): the writer is grieving a suicide, not with someone in danger
# now, so the how-to-help reply ("stay with them") does not fit. Read by
# :meth:`bot.answers.safety.PhraseReading.loss`: an attempt ("tried to", "almost") or a threat
# ("said she would") is not a death, and a figure ("killed herself studying") is not one either.
LOSS_EN = (
    r"\b(?<!almost )(?<!nearly )(?<!tried to )(?<!try to )(?<!would have )(?<!could have )"
    r"(?<!might have )(?<!wouldve )(?<!couldve )(?<!shouldve )"
    r"(?:(?:killed|unalived|offed) (?:him|her|them)sel(?:f|ves)\b(?! (?:studying|working|at work"
    r"|with|over|for|doing|trying|on (?:the|that|this|her|his|their) )(?!\w))"
    r"|(?:took|ended) (?:his|her|their) (?:own )?life\b"
    r"|(?:died|passed|passed away|was lost) (?:by|of|from|to) suicide\b"
    r"|committed suicide\b"
    r"|lost (?:\w+ ){1,4}to suicide\b"
    r"|(?:his|her|their) suicide\b(?! (?:note|letter|plan|attempt|threat))"
    r"|suicide loss\b|loss to suicide\b)"
)
# ... unless a word says someone living is in danger now ("and now her sister says she wants
# to die too", "i want to join him"): the loss's own words taken out first.
NOT_LOSS_EN = (
    r"\b(?:join|joining|be with|being with|go be with|follow|following) (?:him|her|them)\b|\bwithout (?:him|her|them)\b"
    r"|\b(?:suicid\w*|kill\w*|overdos\w*|stockpil\w*|hoard\w*|die|dying|end it|ending it"
    r"|alive|cant go on|wake up|goodbye|hurt (?:\w+ )?sel\w*|cut\w* (?:\w+ )?sel\w*|cuts|gun|rope"
    r"|bridge|plan|pills|tried|trying|attempt\w*)\b"
)

# ... and in Spanish ("mi compañera se suicidó el año pasado", "perdí a mi hermano por suicidio")
LOSS_ES = (
    r"\b(?<!casi )(?<!intento )(?<!quiere )(?<!va a )(?:se (?:suicido|quito la vida|mato|ahorco)"
    r"|murio (?:por|de) suicidio|(?:perdi|perdimos) a (?:mi |un |una |nuestro |nuestra )?\w+"
    r"(?: \w+)? (?:por|al|a causa del) suicidio|su suicidio)\b"
)
NOT_LOSS_ES = (
    r"\b(?:yo tambien|me quiero|quiero (?:morir|matarme|irme|estar con)|quiere (?:morir|matarse)"
    r"|se quiere|pastillas|intento|intentar|reunirme con|seguirl[oa]|irme con)\b"
)

# The writer joining in after someone else's crisis ("she said she wants to die and honestly
# me too", "i keep thinking about doing the same"): a crisis for the writer (read only after
# a someone-else phrase, by :func:`bot.answers.safety.read_phrases`).
JOINS_IN_EN = (
    r"\b(?:me too|same here|so do i|i do too|i feel the (?:exact )?same|i feel that way too"
    r"|i (?:want|wanna|wish) (?:to |i could )?too)\b"
    r"|^(?:and |honestly |tbh |lowkey |ngl |lol )*same(?: tbh| honestly| lol| ngl| fr)?$"
    r"|\b(?:i|im|i m|ive|id|ill) (?:\w+ ){0,4}(?:do|doing|try|trying) (?:that|it|the same(?: thing)?)"
    r" (?:too|as well)\b"
    r"|\b(?:i|im|i m|ive|id|ill) (?:\w+ ){0,4}(?:do|doing) the same(?: thing)?\b"
    # ... a wish of one's own, said as theirs again ("honestly i want to disappear too")
    r"|\b(?:i|im|i m) (?:\w+ ){0,2}(?:want|wanna|wish i could|feel like|think about|thinking about)"
    r" (?:to )?(?:disappear|die|go|be gone|end it|not be here|sleep forever|not wake up"
    r"|kill myself|do it)(?: \w+){0,2} (?:too|as well|also)\b"
    # ... feeling so too ("i feel like that every day tbh")
    r"|\bi (?:\w+ ){0,2}(?:feel|felt) (?:like that|that way)(?: (?:every day|everyday|all the time"
    r"|a lot|sometimes|most days|too|also|as well|lately|honestly|tbh|ngl))+\b"
    # ... or taking what was theirs ("my mom took her own life and i have her pills, i keep
    # thinking about taking them")
    r"|\b(?:i|im|i m|ive) (?:\w+ ){0,3}(?:think|thinking|thought) about taking (?:them|it|those"
    r"|all of (?:them|it)|the (?:whole|rest)|(?:his|her|their) (?:pills|meds))\b"
    # ... or following them ("my brother killed himself and i keep wondering if i should follow
    # him"), not going to them ("join her at the er")
    r"|\b(?:i|im|i m|ive|id|ill|part of me) (?:\w+ ){0,4}(?:follow|following|join|joining)"
    r" (?:him|her|them)\b"
    r"(?! (?:at|in|for|on|there|to|with|after|when|tomorrow|tonight|later)\b)"
)

# Saying one is safe ("im safe", "no no im fine", "not a cry for help"): the gentle line. It
# denies nothing: a crisis said in the same message is still read as one.
REASSURANCE_EN = [
    r"\b(?=(?:im|i m|i am) )(?<!think )(?<!thinks )(?<!seem )(?<!look )(?<!pretend )(?<!pretending )"
    r"(?<!said )(?<!say )(?<!tell )(?<!told )(?:im|i m|i am) (?:actually |totally |completely |perfectly |honestly "
    r"|really )?(?:safe|fine|ok|okay|alright|good)(?: (?:i promise|lol|lmao|dont worry|promise"
    r"|i swear|swear|fr|for real|tho|though|honestly))?$",
    r"\bnot a cry for help\b",
    r"\b(?:nobody|no one|noone) (?:needs|has) to (?:call|worry|panic)\b",
    r"\bnothing (?:dangerous|serious|like that|scary|drastic|crazy)\b",
    r"\b(?:dont|do not|no need to) (?:call|text) 988\b",
    r"\b(?:before anyone|dont|do not) (?:freaks? out|worry|panic)\b(?=.* (?:im|i m|i am) (?:fine|ok|okay"
    r"|safe|good)\b)",
    r"\b(?:my )?(?:counselor|counsellor|therapist|doctor) (?:says|said|thinks|agrees) (?:im|i m"
    r"|i am) (?:safe|ok|okay|fine)\b",
]
