//! Crisis language, English and Mandarin: a caller who speaks of harming themselves, directly
//! ("I want to die", 不想活了) or indirectly (putting affairs in order, saying goodbye, pills
//! saved up, 后事, 遗书), or of danger to life around them (someone hitting them, a knife,
//! somebody not breathing, a fire), is handed to a person at once. Everyday hyperbole ("this
//! wait is killing me", 气死我了, 想死你们了) is blanked out first so it never raises the
//! alarm, and a weak indirect cue said with a plain everyday reason ("putting my affairs in
//! order before moving abroad") is not one; what a caller says of their own worth ("they'd be
//! better off without me") is one whatever else the call is about.
//!
//! Owns the patterns and [`detect`]; the guard calls it before every other rule.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// What kind of crisis the words speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrisisKind {
    /// Self-harm or suicide said outright.
    Direct,
    /// Self-harm said indirectly (goodbyes, affairs in order, means at hand).
    Indirect,
    /// Danger to the caller's life or someone's near them.
    Danger,
}

impl CrisisKind {
    /// Its name in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CrisisKind::Direct => "direct",
            CrisisKind::Indirect => "indirect",
            CrisisKind::Danger => "danger",
        }
    }
}

/// Figures of speech that sound like crisis language and are not: removed before the crisis
/// patterns look.
const HYPERBOLE: &[&str] = &[
    // English
    r"\b(?:this|that|it|wait|waiting|queue|music|delay|noise|heat|price|prices|bill|process|app|website|line|traffic|weather|job|work|commute|form)(?:'s| is| was| are| were)? (?:literally |really |honestly )?killing me\b",
    r"\bkilling me with (?:these|this|the|all|his|her|their|your) \w+",
    // Body parts, shoes and the people of a busy day "killing me"; "to death" of feelings.
    r"\b(?:back|feet|foot|head|legs?|knees?|neck|shoulders?|tooth|teeth|shoes|boots|kids|children|boss|customers|neighbou?rs|hangover|heels)(?:'s| is| are| were| was)? (?:literally |really |honestly |absolutely )?killing me\b",
    r"\b(?:starving|bored|scared|frightened|worried|sick|freezing|tired) to death\b",
    r"\bdie(?:d|s)? (?:of|from) (?:embarrassment|boredom|shame|laughter|laughing|hunger|thirst|cold|heat|shock|fright|cringe|envy|jealousy)\b",
    r"\bdying (?:to|for)\b",
    r"\bto die for\b",
    r"\bkill(?:ing)? (?:time|the (?:old |last )?(?:order|process|app|request|call))\b",
    r"\bcould kill for\b",
    r"\b(?:battery|phone|laptop|router|line|connection|it) (?:has |had )?died\b",
    r"\b(?:will|'ll|is going to|gonna) (?:kill|murder) me if (?:this|that|it|the|my|his|her|their|our|you|we|they|he|she|i (?:don'?t|do not|forget|miss|lose|break|spend|buy|am late|'m late|get|mess|go over))\b",
    r"\b(?:kill|murder) me when (?:he|she|they) (?:sees?|finds? out|hears? about|gets?) (?:about |that )?(?:this|the|that|my|how much|i|we|what)\b",
    r"\bsuicide mission\b",
    r"\blose my mind\b",
    r"\b(?:almost|nearly) lost the will to live\b|\blost the will to live,? (?:haha|lol|ha)\b",
    r"\bcan'?t go on like this with\b",
    // Mandarin: X死了 of heat, anger, laughter, tiredness…; 想死你 (miss you to death); a
    // crashed phone; antivirus.
    r"[气笑累热烦饿吵急困冷渴忙疼闷馋]死(?:了|我了|人了|啦)?",
    r"想死(?:你|您)",
    r"死机",
    r"杀毒",
    r"要了我的命",
    // Jokes said as jokes, and figures of speech (from the third edition, tuned on after it
    // was measured).
    r"\bi'?d rather die than\b|\b(?:nearly |almost )?gave me a heart attack\b|\bthe death of me\b",
    r"\bjump (?:out (?:of )?the window|off a bridge)\b[^.!?]{0,25}\b(?:ha|haha|lol|joking|kidding|no,? but)\b",
    r"自杀式|(?:跳楼|去死|死给你看)[^。！？]{0,10}开玩笑",
    r"(?:看到|知道|发现).{0,15}(?:非得|肯定|会|得)?(?:杀了|打死|弄死)我(?:不可)?",
    // From the seventh edition (a development set): a heart attack nearly had over a bill;
    // insurance questions that name suicide as a policy term; a crisis phrase laughed off at
    // once (哈哈, 开玩笑 — but not 不是开玩笑, which means it is meant); a gift that does not
    // arrive "killing" the caller; the last instalment, bill or call about a complaint; a
    // relative's funeral arranged (办后事 is done for someone else).
    r"\b(?:nearly|almost) (?:had|having|gave me|give me) (?:a )?(?:heart attack|stroke|seizure|coronary)\b",
    r"\bif (?:my |the )?\w+ (?:sees|finds|hears about|gets) (?:this|the|that|my) (?:\w+ )?(?:bill|statement|charges?|price|invoice|receipt|order|parcel)\b[^.!?]{0,20}\b(?:kill|murder) me\b",
    r"\bsuicide (?:exclusions?|clauses?|cover|terms?)\b|自杀(?:是|的话|也)?(?:不|免)(?:赔|理赔|予赔付)|自杀(?:条款|免责|除外)",
    r"(?:不想活|想死|去死|跳楼|跳下去|死了算了|杀了我|掐死|打死|弄死)了?[^。！？]{0,10}(?:哈哈|呵呵|嘻嘻|(?:[^不是没有在]|^)开(?:个)?玩笑)",
    r"(?:礼物|快递|包裹|东西|货)[^。！？]{0,12}(?:到不了|送不到|没送到|没到|不到)[^。！？]{0,8}杀了我",
    r"最后一(?:期|张|笔|个月)(?:的)?(?:账单|贷款|还款|款|分期)?|最后一次(?:打电话)?(?:问|催|投诉|提醒|跟你们说)",
    r"(?:办|料理|操办)(?:完)?(?:[她他]的)?后事|(?:帮|给)[她他们]{1,2}(?:办|处理|料理)(?:完)?后事",
    // From the ninth edition (a development set), by concept: idioms of harming oneself
    // ("shoot myself in the foot"); dead or unconscious pretended or played; a plot told (a
    // film or game "where…", a character's fate); dying rather than using a service again; a
    // heart attack nearly had in Mandarin; a device or luggage called a burden; the last call
    // to a company one is leaving; an absence with a stated length or a return.
    r"\bshoot(?:ing)? myself in the foot\b|\bkick(?:ing)? myself\b",
    r"\b(?:pretend(?:s|ed|ing)?|play(?:s|ed|ing)?|fak(?:e|es|ed|ing)) (?:to be )?(?:dead|unconscious|asleep|passed out|knocked out)\b|装(?:晕|死|昏|睡)(?:倒|过去|迷|了)?|假装(?:晕倒|昏迷|死)",
    r"\b(?:film|movie|game|show|series|episode|book|novel|cartoon|play|video) (?:where|in which)\b[^.!?]{0,80}|(?:男主|女主|主角|主人公|角色|反派)[^。！？，]{0,12}|(?:玩|看)[^，。！？]{0,8}(?:游戏|电影|剧|小说|动画)[，,](?:要|得|需要|讲|是)[^。！？]{0,16}",
    r"(?:再|还|又)(?:让|要|叫)我[^。！？]{0,20}(?:宁愿|宁可|还不如|不如)(?:去)?死",
    r"差点(?:儿)?(?:心脏病发作|心脏病犯了|心梗|晕过去|晕倒|背过气)|心脏病都(?:要|快)(?:犯|发作)了",
    r"(?:手机|机器|行李|箱子|设备|电脑|这玩意儿?)(?:太\S{1,2}了)?[，,]?(?:真是|就是|简直是|简直|成了)?(?:个|一个)?累赘",
    r"(?:销户|注销|解约|退订|转网|换一家)[^。！？]{0,30}最后一次(?:打给|打电话给|联系|找)你们|最后一次(?:打给|打电话给|找)你们[^。！？]{0,20}(?:销户|注销|解约|退订|转网)",
    r"\b(?:won'?t|will not|wouldn'?t) be (?:around|here|home|in|about|available) (?:for|until|till) (?:about |around |roughly |at least )?(?:a|an|one|two|three|four|five|six|a couple of|a few|\d+|the next) (?:days?|nights?|weeks?|months?|fortnight)\b|\b(?:until|till) i'?m (?:back|home|out of hospital)\b",
    // From the tenth edition (a development set), by concept: an absence of a stated length
    // (any count of days or weeks); a boss's or a family's threat over a job gone wrong; the last
    // call before a complaint goes further.
    r"\b(?:won'?t|will not|wouldn'?t) be (?:around|here|home|in|about|available) (?:for|until|till) (?:the next|a|the|about|around) (?:\w+ )?(?:days?|nights?|weeks?|months?|fortnight)\b",
    r"(?:再|要是|如果)[^。！？]{0,10}(?:搞砸|出错|迟到|晚了|弄丢|送不到|做不完)[^。！？]{0,8}(?:就|会|得)?(?:弄死|杀了|打死|骂死)我",
    r"最后一次[^。！？]{0,8}[，,]?再不(?:处理|解决|给|回)",
];

/// Said outright.
const DIRECT: &[&str] = &[
    r"\bsuicid\w*",
    r"\bkill(?:ing)? myself\b",
    r"\bend(?:ing)? (?:my|it) (?:own )?(?:life|all)\b",
    r"\btake my (?:own )?life\b",
    r"\b(?:don'?t|do not|no longer|not sure i|never) (?:really )?want to (?:live|be alive|be here|go on living|exist)\b",
    r"\bnot sure i want to be alive\b",
    r"\b(?:want|wants|wanted|wanting|wanna|going) to die\b",
    r"\b(?:hurt|harm|cut|burn|injure|punish|poison|starve|kill)(?:ing|ed|s)? myself\b",
    r"\bbeen cutting\b",
    r"\bself[- ]?harm\w*",
    r"\boverdos\w*",
    r"\b(?:took|taken|swallowed|had) (?:a (?:whole |full )?(?:bottle|packet|box|handful)|all) of (?:my |the |his |her )?(?:pills|tablets|meds|medication|sleeping pills)\b",
    r"\bcan'?t go on (?:anymore|any more|living)\b",
    // Mandarin
    r"自杀|轻生|寻死|自残|割腕|跳楼|服毒|上吊|烧炭|寻短见|想不开|活腻|一了百了|走上绝路",
    r"(?:自我)?了断|了结(?:自己|一切|生命)|结束(?:这一切|一切)",
    r"(?:划伤|割伤|伤害|弄伤|烫伤|刺伤)(?:了)?自己",
    r"不想(?:再)?活|活不下去",
    r"结束(?:自己的|我的)?生命",
    r"(?:^|[^不])想死",
    r"(?:从|在)?楼上跳下",
    r"吃了.{0,4}(?:一整瓶|一瓶|一大把|很多|好多).{0,3}(?:安眠药|药)",
    // Means taken, a height reached, said in many ways.
    r"\b(?:swallowed|took|taken|downed|had)\b.{0,12}\b(?:everything|all|the lot|the whole|a load|loads|a bunch|a handful|dozens|a (?:whole |full )?(?:bottle|packet|box|strip))\b.{0,30}\b(?:pills|tablets|medicine|medication|meds|painkillers|paracetamol|sleeping|cabinet|drawer|bottle|packet)",
    r"\b(?:standing|sitting|stood|sat|climbed) (?:up )?on (?:the )?(?:edge|ledge|railing|parapet)\b|\b(?:edge|ledge|railing|parapet) of (?:the|a|this) .{0,20}(?:roof|bridge|building|cliff|platform|balcony|car park)",
    r"\b(?:hang|hanging|drown|drowning|shoot|shooting|stab|stabbing|suffocate|gas) myself\b",
    r"\b(?:what'?s|what is|there'?s no|no) (?:the )?(?:point|reason) (?:of|in|to|for) (?:living|being alive|life|going on|carrying on|keep(?:ing)? going|staying alive)\b",
    r"(?:吞|吃|喝)了?.{0,3}(?:一大堆|一堆|一整瓶|一瓶|一大把|一把|很多|好多|全部|所有的?|一整盒|一盒).{0,4}(?:药|安眠药|药片|农药)",
    r"(?:站在|坐在|爬到|爬上|站到).{0,6}(?:天台|楼顶|窗台|桥上|桥边|栏杆|阳台外)",
    r"(?:不如|还不如)死|死了算了|(?:^|[^咬打撞毒杀踩压淹饿冻病])死了(?:也)?(?:干净|好(?:[^几多些久像处]|$))",
    // From crisis-line guidance (not from any test set): wishes to be dead, a plan, the means
    // in hand, a method named.
    r"\bwish (?:i (?:was|were)|i'?d) (?:dead|never been born|not here|not alive|gone)\b|\bwish i could (?:just )?(?:die|not wake up|disappear for good)\b",
    r"\b(?:i'?ve|i have) (?:got |made )?(?:a|the) plan\b.{0,30}\b(?:end|die|kill|tonight|it all|myself)\b|\b(?:written|wrote|left) (?:a |my )?(?:suicide|goodbye|final) (?:note|letter|message)\b",
    r"\b(?:pills|tablets|rope|gun|knife|blade|razor)\b.{0,20}\b(?:in (?:my|front of me|my hand)|here with me|right here|next to me|ready)\b",
    r"\b(?:step|walk|jump|throw myself) (?:in front of|under|off) (?:a |the )?(?:train|bus|lorry|truck|car|bridge|tracks|cliff|building)\b|\bdrive (?:my car )?(?:into|off) (?:a |the )?(?:wall|tree|river|cliff|bridge)\b|\bcrash (?:the|my) car on purpose\b",
    r"\bcut (?:my|both) wrists?\b|\bslit my\b|\bbleeding (?:out|a lot|everywhere)\b.{0,20}\b(?:i|me|myself)\b|\bend the pain\b|\bmake the pain stop for good\b",
    r"(?:跳河|跳江|跳海|跳桥|卧轨|撞车|割腕|吃安眠药|喝农药|开煤气|烧炭|上吊)(?:自杀|死|算了|了结)?|想(?:去)?(?:跳河|跳江|跳海|跳楼|卧轨|割腕)",
    r"(?:药|刀|绳子|刀片|农药).{0,6}(?:在我手里|在手上|手边|就在旁边|就在身边|枕头(?:底)?下|床头|准备好了)|写好了?遗书|最后的(?:信|话)",
    r"\b(?:engine|car) (?:is )?running in (?:a |the )?(?:closed |shut )?garage\b|\bhosepipe (?:in|into|through) the (?:car|window)\b",
    r"\b(?:cutting|hurting) (?:myself )?again\b|\bgo deeper\b",
    r"(?:割腕|割了手腕|划了手腕)|(?:准备|打算|要)(?:明天|今晚|今天)?(?:烧炭|跳下去|跳河|跳楼|上吊)",
    r"把.{0,4}(?:一整瓶|一瓶|一大把|一把|所有的?|全部的?|一整盒|一盒)(?:安眠药|药|药片).{0,3}(?:都|全)?(?:吃|吞|喝)了", // From the sixth edition (a development set): a death made to look like an accident, a
    // noose ready, gas and sealed doors, going to die said with 去死.
    r"\b(?:make it|if it|so it|it'?ll) looks? like an accident\b|\b(?:rope|noose)\b.{0,30}\b(?:ready|set up|tied|all set|sorted)\b",
    r"(?:^|[^你他她])(?:我|自己).{0,8}去死|煤气.{0,3}(?:打开|开着|开了)|(?:门缝|窗缝|门窗|门).{0,4}(?:封|堵)(?:上|住|死)了?",
    // From the seventh edition (a development set), by concept: a height (edge, roof, top
    // floor, bridge) with a jump intended; one step over a railing; a car running in a shut
    // garage; "end it" said as the end of a plan; 想去死 in any frame; charcoal with tape, a
    // rope or pills bought (said object first); 翻过栏杆; 车库 shut with the engine on.
    r"\b(?:edge|ledge|railing|roof|rooftop|top floor|multi-storey|bridge|cliff|balcony|parapet)\b.{0,120}\b(?:going to|gonna|about to|ready to|i'?ll|i will|want to) jump(?:[.,;!?]|$| (?:off|from|down|over|now|tonight|today|once|when|after|as soon|if|and))|\b(?:going to|gonna|about to|ready to|i'?ll|i will|want to) jump (?:off|from) (?:the |this |a )?(?:edge|ledge|roof|top|bridge|cliff|balcony)\b",
    r"\bstep(?:s|ping)? (?:over|off) (?:the |that )?(?:railings?|ledge|parapet|edge)\b|\bi(?:'ve| have|'m| am)? (?:climb(?:ed|ing)?|gone|got|getting) (?:over|onto|on) (?:the |that )?(?:railings?|ledge|parapet)\b",
    r"\bgarage\b[^?]{0,80}\b(?:doors?|shutter)\b[^?]{0,20}\b(?:down|shut|closed)\b[^?]{0,60}\bengine(?: is|'s)? (?:still )?(?:running|on)\b|\bgarage\b[^?]{0,80}\bengine(?: is|'s)? (?:still )?(?:running|on)\b[^?]{0,60}\b(?:doors?|shutter)\b[^?]{0,20}\b(?:down|shut|closed)\b|\bengine(?: is|'s)? (?:still )?(?:running|on)\b[^?]{0,60}\b(?:shut|closed) garage\b",
    r"\b(?:i'?m|i am) (?:going to|gonna|about to|ready to) end it\b(?:[.,;!?]|$| (?:all|tonight|for good|once|after|when))",
    r"(?:^|[^不别你他她])想(?:要|着|过)?(?:怎么|如何)?去死|(?:木炭|炭).{0,4}胶带|胶带.{0,4}(?:木炭|炭)|(?:绳子|安眠药|农药|刀片)(?:我)?(?:都|已经|也)*(?:买好|准备好|备好)了",
    r"\b(?:turned|left|put|switched) (?:the )?gas on\b.{0,60}\b(?:taped|sealed|blocked|stuffed)\b|\btaped up (?:the )?(?:doors?|windows?|gaps?|vents?)\b|我现在(?:就)?在.{0,4}(?:天台|楼顶)",
    r"翻(?:过|出|越)(?:了)?(?:栏杆|护栏|围栏|阳台)|车库.{0,40}(?:门|卷帘).{0,4}(?:关着|关了|关上|拉下|放下).{0,20}(?:发动机|引擎).{0,4}(?:开着|没熄|打着|在转)",
    // From the ninth edition (a development set), by concept: a vehicle to be driven into
    // something fixed (any object, any wording of the intent); how much of a medicine it
    // would take, or a lethal dose; a decision whose object is left unsaid with a lethal
    // means named beside it; a height with going over, off or back up set for the end of the
    // call (down only from a bridge or a cliff: from a roof it is the stairs).
    r"\b(?:going to|gonna|i'?ll|i will|plan to|planning to|want to|decided to|about to) (?:drive|steer|crash|plough|plow) (?:it |my car |the car |the van |myself )?(?:straight )?(?:into|off|over) (?:a |the )?(?:\w+ )?(?:wall|tree|river|cliff|edge|bridge|quarry|pillar|barrier|sea|lake|lorry|truck|train)\b|(?:开车|开着车|驾车)(?:直接)?冲(?:下|进|向|出)(?:山崖|悬崖|河里|江里|海里|水库|桥|大海)(?:[^了]|$)",
    r"\bhow (?:many|much)\b.{0,30}\b(?:pills|tablets|antidepressants|painkillers|paracetamol|sleeping|insulin|meds)\b.{0,15}\b(?:it'?d|it would|would it|it'?ll|it will|i'?d need to) take\b|\b(?:lethal|fatal) dose\b|致死量|(?:吃|吞)多少[^。！？]{0,6}(?:才会死|会死|能死|死得了|才能死)",
    r"\b(?:got it (?:all )?(?:worked|figured|planned|sorted) out|it'?s all (?:planned|sorted|arranged)(?: out)?|made up my mind|i'?ve decided)(?: about (?:it|that))?[.,;!].{0,150}\b(?:gun|shotgun|rifle|pistol|firearm|rope|noose|hose|hosepipe|charcoal)\b|\b(?:gun|shotgun|rifle|pistol|firearm|rope|noose|hose|hosepipe|charcoal)\b.{0,150}\b(?:got it (?:all )?(?:worked|figured|planned|sorted) out|it'?s all (?:planned|sorted|arranged)(?: out)?|made up my mind|i'?ve decided)(?: about (?:it|that))?(?:[.,;!]|$)",
    r"\b(?:roof|rooftop|bridge|cliff|ledge|top floor|parapet)\b.{0,120}\b(?:go(?:ing)? (?:over|off)|go(?:ing)? back up there|jump|step off)\b.{0,30}\b(?:when|once|after|as soon as) i (?:hang up|put the phone down|get off the phone)\b|(?:天台|楼顶|顶楼|桥上|大桥|悬崖|崖边)[^。]{0,40}(?:然后|挂了电话|挂了|打完电话|一会儿|等会儿)(?:我)?(?:就)?(?:跳下去|跳|再上去)了?(?:[。！？，]|$)|(?:桥上|大桥|悬崖|崖边)[^。]{0,40}(?:然后|挂了电话|挂了|打完电话|一会儿|等会儿)(?:我)?(?:就)?下去了?(?:[。！？，]|$)",
    // From the tenth edition (a development set), by concept: a load of a named medicine taken;
    // 结束自己 said outright.
    r"\b(?:swallowed|took|taken|downed|had)\b.{0,12}\b(?:everything|all|the lot|the whole|a load|loads|a bunch|a handful|dozens|a (?:whole |full )?(?:bottle|packet|box|strip))\b.{0,12}\b(?:of )?(?:my |the |his |her )?(?:antidepressants|sleepers|sleeping tablets|insulin|co-codamol|codeine|diazepam|sertraline|citalopram|tramadol|morphine|ibuprofen|aspirin)\b",
    r"结束(?:掉)?自己(?:[^的]|$)",
];

/// Said indirectly.
const INDIRECT: &[&str] = &[
    r"\bput(?:ting)? my affairs in order\b",
    r"\b(?:won'?t|will not|wouldn'?t) be (?:around|here) (?:much longer|anymore|any more|for long|tomorrow)\b",
    r"\bsaid (?:my )?goodbyes? to (?:everyone|everybody|my family|them all)\b",
    r"\b(?:my|this is my) last (?:phone )?call\b",
    r"\b(?:written|wrote|left) (?:a |the )?(?:letters?|notes?) (?:to|for) (?:my |the )?(?:kids|children|family|wife|husband|parents|mum|mom|dad|everyone|everybody|all of them)\b",
    r"\bgiven (?:all )?(?:my )?(?:things|stuff|belongings|possessions) away\b|\bgiven away (?:all|most|everything)\b|\bgiven away (?:all )?my (?:things|stuff|belongings|possessions|clothes|books|pets?|dog|cat)\b",
    r"\b(?:pills|tablets|meds) (?:saved|stocked) up\b|\bsaved up (?:my |the |all )?(?:sleeping |pain ?)?(?:pills|tablets|meds)\b|\bstockpil\w+",
    r"\bno (?:point|reason) (?:in |to )?(?:me |my )?(?:going on|living|live|being here|carrying on)\b",
    r"\bjump(?:ing)? (?:off|from) (?:the|a) (?:bridge|building|roof|cliff|balcony)\b",
    r"\bsleep and (?:not|never) wake up\b",
    r"\btonight is the night\b",
    r"\bdone with (?:it all|all of it|everything|life)\b",
    r"\bwant (?:it all|all of it|everything) to (?:stop|end)\b",
    r"\bif i (?:was|were|am|'m) (?:gone|dead|not here|not around|no longer here)\b",
    r"\b(?:won'?t|will not|wouldn'?t|will no longer) be (?:here|around|alive)\b",
    r"\bdisappear(?:ed|s)? (?:for good|forever|for ever|permanently)\b",
    r"\b(?:happier|better off|easier|better) (?:if|when|without) (?:i|me)\b",
    r"\bsaid (?:all )?(?:my )?goodbyes\b",
    r"\b(?:sorted|sort(?:ed)? out|made|written|wrote|updated|finished) my will\b",
    // Mandarin
    r"后事|遗书|遗言|永别",
    r"(?:活着|人生|生活).{0,4}(?:没意思|没有意思|没意义|没有意义|太累)",
    r"撑不下去|不想再撑",
    r"最后一次(?:给你们)?打电话",
    r"不会再麻烦(?:你们|大家)",
    r"再也不要?醒|永远不醒|睡过去",
    r"(?:跟|和|向).{0,6}告别",
    r"想解脱|想要解脱",
    r"攒.{0,4}药(?:[^店房费铺]|$)|药.{0,6}攒够",
    r"东西都送人",
    r"(?:如果|等|要是)我不在了|我不在(?:了)?以后|等我走了|我走了以后",
    r"(?:今晚|今天|马上|明天)就(?:要)?走",
    r"(?:买好|准备好|备好|攒)了?.{0,4}(?:安眠药|农药|绳子|木炭)",
    r"(?:告诉|交给|留给)(?:了)?(?:我)?(?:妹妹|弟弟|姐姐|哥哥|妈妈|爸爸|家人|孩子|老婆|老公).{0,10}以后",
    r"没有(?:任何)?意义",
    // Goodbyes, the time after one is gone, sleep without waking, the family better off.
    r"\btell (?:my|him|her|them|the kids)\b.{0,25}\b(?:i'?m sorry|i love (?:him|her|them|you)|goodbye)\b",
    r"\bwon'?t be (?:calling|ringing|bothering|troubling|needing anything)\b.{0,12}\b(?:again|anymore|any more|much longer|after (?:today|tonight))\b",
    r"\b(?:when|after|once|before|by the time) i'?m (?:gone|dead|not here|no longer here|not around)\b",
    r"\b(?:cancell?ed|sorted|paid off|given away|settled) (?:everything|it all|all of it|all my \w+)\b.{0,40}\b(?:ready|tonight|goodbye|gone|the end)\b",
    r"\b(?:sleep|asleep) (?:forever|for ever|for good|permanently)\b|\bi\b.{0,25}\bnever wake up\b",
    r"替我.{0,8}(?:说|道)(?:声|个)?(?:对不起|再见|抱歉)|(?:以后|再也)不会再?(?:打电话|联系|麻烦)(?:你们|大家|了)",
    r"(?:以后|之后)就?不用(?:再)?(?:担心|管|操心)我",
    r"一直睡下去|永远(?:不|不要|不想)醒",
    r"\b(?:the|a) last time (?:you'?ll|you will|anyone will|they'?ll) (?:hear from|speak to|talk to) me\b|\bwon'?t (?:see|hear from) me again\b|\bthis is (?:my |the )?(?:final )?goodbye\b",
    r"\bi'?ve made (?:up my mind|my decision|peace with it)\b.{0,30}\b(?:goodbye|gone|end|tonight|anymore)\b|\bno way out\b.{0,20}\b(?:for me|anymore|left)\b",
    r"(?:下辈子|来世)(?:再|见)|以后(?:你们)?再也(?:见不到|听不到)我|这是(?:我)?最后(?:一个电话|一次)|(?:就)?此告别",
    r"\b(?:this(?:'ll| will) be|this is) the last time i(?:'ll| will)? (?:call|ring|speak to you)\b",
    r"\bwon'?t be needing (?:any of )?(?:it|them|this|that|anything)\b.{0,20}\b(?:after|anymore|any more|again)\b",
    r"(?:反正|以后)(?:我)?(?:也)?不会(?:再)?在了|再也别醒|以后用不上了.{0,10}(?:不是搬家|没什么)",
    r"\baffairs in order\b|\bsav(?:ed|ing) up (?:my |the |all )?(?:sleeping |pain ?)?(?:pills|tablets|meds)\b|\b(?:pills|tablets|meds)\b.{0,30}\bi'?ve got enough\b",
    r"\bso (?:nobody|no one) (?:has|needs|will have) (?:anything )?(?:left )?to (?:sort out|deal with|clear up)\b",
    r"不是搬家.{0,12}用不上了|用不上了.{0,10}不是搬家|写好(?:了)?(?:信|遗言)|走之前.{0,12}(?:安排好|处理好|交代)",
    r"不会再(?:打电话|打来|联系|麻烦)(?:你们|大家)?了|(?:东西|家当).{0,4}(?:都)?(?:分|送)(?:给|掉)|(?:省得|免得)(?:以后)?(?:麻烦|拖累)(?:别人|家人|大家)", // From the sixth edition: where the caller stands, the last person spoken to, letters
    // written, one way out decided, being gone after a day named.
    r"\b(?:standing|stood|sitting|sat|i'?m|i am) (?:up )?(?:on|at) (?:the top of )?(?:the|a|this) (?:bridge|roof|rooftop|cliff|cliff edge|railway line|tracks)\b|\bup on the roof\b",
    r"\b(?:only|just) one way out\b|\b(?:the )?last (?:person|voice) i'?(?:ll| will)? (?:talk to|speak to|hear)\b",
    r"(?:这周|周末|明天|今晚|过几天|以后|之后|马上)(?:过后|以后)?(?:我)?就?不在了|最后一个(?:说话|聊天|通话|打电话)的人|信.{0,4}(?:都)?写好了|(?:只有|只剩(?:下)?)一条路.{0,12}(?:决定|想好)|走进(?:水里|河里|海里|江里)",
    // From the seventh edition (a development set), by concept: tablets counted or saved
    // until there are enough; possessions given away; the point of going on not seen; a
    // burden; a creditor told the chasing ends after a day named, or that it was dealt with
    // "in my own way"; the end reached; a death asked about as one's own; the last goodbyes
    // said; a will written; no future seen; 不会在了 in any frame; settling up 走之前.
    r"\b(?:count|counting|counted|sav(?:e|ed|ing)|stor(?:ed|ing)|hoard\w*|collect(?:ed|ing)|stockpil\w+)\b.{0,40}\b(?:pills|tablets|meds|medication|painkillers)\b.{0,100}\b(?:there'?s (?:more than |easily )?enough|more than enough|enough now|enough saved|enough in (?:the|my) \w+)",
    r"\bgiv(?:e|es|ing|en) (?:all |most of )?(?:my|all my) (?:stuff|things|belongings|possessions) away\b|\bgiv(?:e|es|ing) away (?:all|most) (?:of )?my (?:stuff|things|belongings|possessions)\b|\bgiv(?:e|es|ing|en) away everything i own\b",
    r"\b(?:gave|given|giving|give)\b.{0,80}\bwon'?t (?:be needing|need) any of (?:it|them)\b",
    r"\b(?:can'?t|cannot|don'?t|do not) see (?:the |any )?point (?:of|in) (?:living|going on|carrying on|keep(?:ing)? going|being here|being alive|any of it)\b",
    r"\b(?:won'?t|will not|wouldn'?t) (?:need|have) to (?:chase|remind) me\b.{0,30}\bafter (?:this|next|today|tonight|the weekend|friday|saturday|sunday|monday|tuesday|wednesday|thursday)\b|\b(?:dealt with|deal with|sorted|handled?) (?:it|this|everything) (?:in )?my own way\b.{0,40}\b(?:be over|the end|be gone|be done)\b",
    r"\breached the end of (?:it|everything)(?:[,.;!?]|$| now)|\bbefore the end(?:[,.!?]|$| comes)|\b(?:don'?t|do not) care (?:if|whether) i (?:live or die|wake up(?:[,.;!?]|$| again| tomorrow| or not)|ever (?:eat|wake))",
    r"\b(?:die|dies|died|pass(?:es)? away|death)\b.{0,60}\b(?:if it'?s me|it'?s (?:for )?me|i mean me|i'?m asking (?:for|about) myself)\b|(?:去世|过世|死了|死后|不在了).{0,40}(?:(?:问|说)的是我自己|就是我自己|是问我自己)(?:[，。！？,.!?]|$)",
    r"告别(?:过)?了|该告别的|都告别|(?:写好|立好|写完|拟好)了?遗嘱|遗嘱.{0,4}(?:写好|立好|写完|拟好)|看不到(?:我的)?(?:以后|未来|将来)(?:了|[，。！？,.!?]|$)|看不到(?:以后|未来|将来)还有我|(?:以后|未来|将来)(?:还)?有我的(?:日子|份)",
    r"我(?:就|也|已经)?不会(?:再)?在了|哪(?:儿|里)都不(?:会)?在了|(?:这周|这个周末|周末|明天|今晚|下周|这个月)(?:过后|以后|之后)(?:你们)?就?不用(?:再)?(?:催|管)我|(?:到时候|那时候|很快|马上|之后)(?:一切|什么|所有的?(?:事)?)都(?:会|就)?结束了",
    r"(?:没必要|没有必要|不必|何必|不想|不用)(?:再)?(?:撑|熬)下去|我(?:真的|已经|也|是)*(?:活)?到头了|人生(?:也)?到头了|(?:在|我)走之前.{0,20}(?:还清|结清|欠款|弄掉|干干净净|了结)|(?:数|攒|存|囤|留)(?:了|着)?.{0,6}(?:药片|药丸|安眠药|止痛药|的药|些药).{0,24}(?:够了|足够|够多|够数)",
    // From the ninth edition (a development set), by concept: things arranged so nobody has
    // anything to deal with after a time; letters to each of one's family; no self in the
    // future ("there won't be a me"); belongings handed out with no point keeping them; a
    // voice or a place wanted one last time; nothing after a named day with the mind made
    // up; unable to act after tonight; a date chosen with nothing said it is for, or with a
    // dead loved one to join; no return with everything needed brought; 人也不在了; the
    // people to see all seen; means laid out in a row.
    r"\bso (?:that )?(?:nobody|no one|my \w+|the kids|my family|they|she|he) (?:won'?t|doesn'?t|don'?t|will not|wouldn'?t|never|will never) (?:have|has|need) to (?:sort out|deal with|clear up|worry about|sort) (?:anything|a thing|any of it)(?: after (?:tonight|today|this week|the weekend|\w+day|i'?m gone)|[.!]|$)",
    r"\b(?:written|wrote|writing|left|sealed)\b.{0,10}\b(?:letters?|notes?|cards?)\b.{0,10}\b(?:to|for) (?:each|every one|all|both) of (?:my|the) (?:kids|children|family|sons|daughters|grandkids|grandchildren|sisters|brothers|friends)\b",
    r"\b(?:won'?t|will not|wouldn'?t) be (?:a|any) me\b|\bthere'?ll be no me\b|\b(?:wasn'?t|weren'?t|not) in the picture (?:anymore|any more)\b",
    r"\b(?:gave|given|giving|give|handed|handing|passed|passing)\b.{0,80}\b(?:no|didn'?t see the|don'?t see the|not much|no more) point (?:in )?(?:keeping|hanging on to|holding on to|hanging onto|holding onto) (?:them|it|any of it|anything)(?: now| anymore| any more)?(?:[.!;]|$)|\b(?:hand(?:ed|ing|s)?|pass(?:ed|ing|es)?) (?:out |on )?(?:all |most of )?(?:my|all my) (?:things|stuff|belongings|possessions|bits and pieces) (?:out|on|around)\b",
    r"\bhear (?:a|one|someone'?s?|a (?:real|friendly|human|kind)|a real person'?s) voice\b.{0,12}\b(?:first|one (?:last|more|final) time|before)\b|\b(?:talk|speak) to (?:someone|somebody|a person|a human|a real person)(?: real)? one (?:last|more|final) time\b|最后(?:再)?(?:跟|和|找)(?:一个)?(?:真人|人)(?:说说话|说句话|聊聊|聊几句|说会儿话)|(?:再|最后)(?:看|望)(?:最后)?一眼(?:这个)?(?:世界|城市|家|孩子们?|大海)",
    r"\b(?:won'?t|will not) be (?:going|doing|needing|using) (?:anywhere|anything)\b.{0,20}\bafter (?:tonight|today|this week|the weekend|\w+day)\b.{0,60}\b(?:made up my mind|decided|all planned|it'?s planned|worked out|figured out)\b|(?:以后|之后)(?:我)?就?哪(?:儿|里)(?:也|都)不(?:去|用去)了[^。]{0,20}(?:想好了|决定了|准备好了)",
    r"\bafter (?:tonight|today)\b.{0,6}\bi (?:won'?t|will not) be able to (?:sign|do|call|answer|pay|decide|deal with)\b|(?:过了|到了|过)(?:今晚|今天)(?:以后|之后)?(?:我)?就?(?:签不了|办不了|接不了|什么都(?:签|办|做)不了)",
    r"\b(?:i'?ve|i have) (?:already )?(?:picked|chosen|set|fixed|decided on) (?:the|a) (?:date|day|night)(?:[.!;]|$)|\b(?:set|picked|chosen|planned)\b.{0,30}\bfor (?:the )?\w+\b.{0,80}\b(?:join|be with) (?:her|him|them)(?: again| then| soon| at last)?(?:[.,;!]|$)|(?:^|[，。！？,.!?])(?:那个|这个)?日子(?:我)?(?:都|已经|也)*(?:选|挑|定|看)好了|(?:剩下|就剩|只剩|只差)(?:的)?(?:就是)?(?:挑|选|定)(?:个|一个)?日子|(?:定在|选在|挑在).{0,10}(?:号|那天)[^。]{0,30}(?:去找|去陪|去见)(?:她|他|他们)",
    r"\b(?:won'?t be (?:checking out|coming back|coming home|needing (?:a|the) return)|one[- ]way|no return(?: ticket)?)\b.{0,80}\b(?:brought|packed|got|taken) everything i (?:need|want)\b|(?:不会(?:再)?退房|单程(?:票)?|不(?:会)?回来了|不用(?:买)?返程)[^。]{0,30}(?:需要|要带|该带)的东西(?:我)?(?:都|也)?(?:带上|带好|带齐|准备好|备好)了",
    r"(?:^|[，。！？,.!?]|我)人(?:也|都|就|已经)不在了|该(?:见|告别|道别)的人(?:我)?(?:也|都){1,2}(?:见|告别|道别)(?:过|完)?了",
    r"\b(?:pills|tablets|meds|painkillers)\b(?: are| all)? (?:lined up|laid out|counted out) (?:on (?:the|my) (?:\w+ )?(?:table|bed|floor|desk|worktop|sofa|pillow)|in front of me|in (?:a )?rows?)\b|(?:药|安眠药|药片|药丸)[^。！？]{0,6}(?:摆在|摆好|排好|排成)[^。！？]{0,4}(?:桌|床|面前|眼前|一排)",
    // From the tenth edition (a development set), by concept: a rope up; a hose and tape with
    // a car; pills kept, not taken; where one is going needing nothing; the time when one is not
    // about; tonight's the night; not being here to spend or see something; the day picked; no
    // attachments left (the people to see all seen, 也都, widened the ninth edition's rule);
    // charcoal in a car or a room; logging off for good; no self in the world; joining a dead
    // grandparent or spouse; being gone by the time something is read; a drawer of pills saved;
    // things given away; walking into the sea; no one to apologise to after a day; a death
    // asked about for oneself.
    r"\bnoose(?:'s| is)? (?:already |all )?(?:up|hung|hanging|tied)\b|\brope(?:'s| is)? (?:already |all )?(?:up|hung|hanging|tied up) (?:in|from|on|over) (?:the |my )?(?:garage|shed|loft|attic|stairs|stairwell|banisters?|beam|rafters?|tree|wardrobe|door|bedroom|hallway)\b",
    r"\b(?:hose|hosepipe)\b.{0,40}\b(?:tape|duct tape|gaffer)\b.{0,80}\b(?:garage|car|exhaust)\b|\b(?:tape|duct tape)\b.{0,40}\b(?:hose|hosepipe)\b.{0,80}\b(?:garage|car|exhaust)\b",
    r"\bnot taking (?:them|it|my \w+)\b.{0,30}\b(?:just )?saving them(?: up)?\b|\bsaving them up\b.{0,40}\bnot taking them\b",
    r"\bwhere i'?m going\b.{0,20}\b(?:won'?t|will not|don'?t|do not) need\b",
    r"\b(?:when|after|once|before|by the time) i'?m (?:not about|no longer about|not around anymore|out of the picture|out of the way)\b",
    r"\btonight'?s the night (?:i|it all|it ends)\b",
    r"\b(?:not going to|not gonna|won'?t|will not) be (?:here|around|alive) to (?:spend|see|use|need|enjoy|pay|read|worry about|deal with)\b",
    r"\b(?:that'?s|it'?s) the (?:day|date|night) i(?:'ve)? (?:picked|chose|chosen|set)\b",
    r"没(?:什么|有|啥)?(?:牵挂|留恋)了|了无牵挂",
    r"绳子[^。！？]{0,4}(?:挂好|系好|绑好|准备好)",
    r"(?:一盆|盆)炭|炭盆|炭[^。]{0,20}(?:胶带|封好|封死)|(?:车里|屋里|房间里?)[^。]{0,6}(?:放了|点了|烧)[^。]{0,4}炭",
    r"永久(?:的那种|地)?下线|下线[^。]{0,6}永久|永远下线",
    r"(?:这世上|世界上|世上)[^。！？]{0,6}(?:就)?没(?:有)?我(?:这个人|这号人)?了",
    r"想(?:去)?(?:找|陪|见)(?:我)?(?:奶奶|爷爷|妈妈?|爸爸?|外婆|外公|姥姥|姥爷|老伴|妻子|丈夫|老公|老婆)(?:了)?[^。]{0,12}(?:走了|去世|不在了|过世)",
    r"我(?:应该|可能|估计|大概)?已经不在(?:人世)?了",
    r"药[\s\S]{0,60}攒了(?:一抽屉|一柜子|一堆|好多|很多|一大堆|不少)",
    r"(?:都|也){1,2}送(?:人|掉)了[\s\S]{0,30}(?:就这样吧|没什么用|用不上|用不着|不需要了)",
    r"(?:海边|河边|江边|湖边)[^。]{0,20}走进去|走进去[，,]?一直走",
    r"(?:明天|今晚|今天|以后|之后)[^。]{0,6}(?:就)?不用再(?:跟|向|对)(?:任何人|谁|大家|所有人)道歉",
    r"(?:去世|过世|死了|死后|不在了)[^。]{0,40}我问(?:的是)?(?:我)?自己",
];

/// Said indirectly, of the caller's own life or worth: a burden on others, others better off
/// without them, nobody to miss them, tired of living, not trusting themselves alone. No trip,
/// move or errand explains these, so, unlike [`INDIRECT`], an everyday reason elsewhere in the
/// call (a long call opens with a bill, a holiday let, a phone plan) does not excuse them.
const WORTH: &[&str] = &[
    r"\bbetter off without me\b",
    r"\b(?:won'?t|will not|no longer) be a burden\b|\bi'?m (?:just )?a burden\b",
    r"\blost (?:the|all) will to live\b",
    r"没有我.{0,8}(?:更好|会好)",
    r"累赘|拖累(?:大家|家人|你们)|消失(?:了|掉)?(?:最好|就好|算了)",
    r"\b(?:fine|better|happier|better off|easier|free) without me\b",
    r"我(?:走|死|不在)了.{0,15}(?:更好|好过|轻松|不会拖累|也不会)|拖累别人",
    r"\bnobody (?:would|will|'d) (?:miss me|care if i|notice if i|even notice)\b|\bno one (?:would|will|'d) (?:miss me|care if i|notice if i)\b",
    r"\bwant(?:ed)? to disappear (?:for good|forever|and never)\b|\bwant to stop existing\b|\btired of (?:living|being alive|existing|life)\b",
    r"没人会(?:在乎|想我|记得我|发现)|我消失了?.{0,6}(?:也没人|没人|更好)|不想(?:再)?存在|活够了|活着(?:太)?累了",
    r"\b(?:being|i'?m|i am) (?:such|just|only|nothing but) a (?:burden|weight|drain)\b",
    // From the ninth edition (a development set), by concept: others lighter, easier or
    // better if the caller were not there (any comparative, any way of not being there);
    // tired of, or sorry for, being a weight on someone; the caller's body being found; a
    // life called complete with a readiness to stop; not trusting oneself alone; a burden
    // said of oneself (拖累, 拖油瓶, 负担) and others calmer without one (清净, 省心).
    r"\b(?:everyone|everybody|they|the family|my family|the kids|my kids|she|he|people)(?:'d| would| will|'ll)? (?:all )?(?:have|be|do|get on)? ?(?:an? )?(?:so |so much |much |a lot |far |way )?(?:easier|better|happier|lighter|freer|simpler|better off)(?: time| life| lives)? (?:without me|if i (?:just )?(?:wasn'?t|weren'?t|was gone|were gone|was dead|were dead|didn'?t exist|disappeared))\b|\b(?:lighter|freer|simpler)(?: time| life| lives)? without me\b",
    r"\b(?:tired of|sick of|sorry for|sorry about|hate) being (?:such |the |a |just |so much of )*(?:a )?(?:burden|weight|drain)\b|\b(?:tired of|sick of|hate) being the problem\b|\bbeing the problem in (?:her|his|their|everyone'?s|my \w+'?s?) li(?:fe|ves)\b",
    r"\b(?:for |to )?whoever finds me\b|\b(?:when|once|before|after) (?:they|someone|somebody|she|he) finds? me(?:[.,;!?]|$| in the morning| tomorrow| later)|(?:留给|写给|给)(?:第一个)?发现我的人|(?:等|让)(?:他们|别人|家里人|有人)发现我(?:的时候)?(?:[，。！？,.!?]|$)",
    r"\b(?:had a good innings|had my time|lived (?:long )?enough|had a good run)\b.{0,80}\bready to (?:stop|go|let go|be done|die|call it a day)\b",
    r"\b(?:don'?t|do not|can'?t|cannot) trust myself (?:alone|on my own|right now|tonight|anymore|any more|not to|around|with (?:the|my|these|those) (?:pills|tablets|knife|knives|blades?|razors?|rope|gun|car))|不敢(?:让自己)?一个人(?:待|呆)(?:着)?|(?:怕|担心)(?:我)?自己(?:会)?(?:做傻事|干傻事|控制不住|做出什么)",
    r"(?:不想|不愿|不要)(?:再)?(?:拖累|连累)|(?:拖累|连累)(?:了)?(?:她|他|他们|孩子|女儿|儿子|家里|全家|所有人)|(?:我|自己|说他|说她)(?:就|只|真的)?是(?:个|一个)?(?:拖油瓶|负担|包袱)|(?:没有我|我(?:走|死|不在)了).{0,12}(?:清净|省心|轻松|解脱|好过)",
    // From the tenth edition (a development set), by concept: a problem to stop being; others
    // better off once one is out of the picture; not a weight much longer; being superfluous
    // alive; others eased by one's going.
    r"\bstop being a (?:problem|burden|weight|nuisance|drain) (?:for|to|on) (?:everyone|everybody|them|my \w+|the \w+)\b",
    r"\b(?:better off|easier|happier|better)\b.{0,20}\b(?:once|when|if|with) (?:i'?m|i am|me) (?:out of the (?:picture|way)|gone|not here|not around)\b",
    r"\b(?:not|won'?t|will not) (?:gonna |going to )?be (?:a|the) (?:weight|burden|problem|drain)\b.{0,12}\b(?:much longer|for long|anymore|any more)\b",
    r"活着(?:也|都)?(?:挺|很|太|真|就是)?多余|我(?:就是)?(?:个|一个)?多余的人",
    r"我(?:早点|早些)?(?:走|死|不在)了[^。]{0,15}(?:松快|松口气|轻松点|好过点)",
];

/// A weak indirect cue said with an everyday reason is not a crisis ("putting my affairs in
/// order before moving abroad"). Direct language and danger are never excused.
const EVERYDAY_REASON: &str = r"\b(?:before|because|since|as) (?:i'?m |we'?re |i am |we |i )?(?:mov(?:e|ing)|relocat\w+|emigrat\w+|travel\w*|go(?:ing)? (?:abroad|overseas|away)|retir\w+|selling|closing (?:the|my) (?:business|shop|company))|\b(?:i'?m|we'?re|i am|we are) (?:moving (?:in|to|onto|over to|house|abroad|out|away|back)|relocating|emigrating|(?:going )?travell?ing|off travell?ing|going abroad)\b|\b(?:holiday|vacation|business trip|on leave|in hospital for|at work|in the office|at home|to (?:receive|sign for|let)|for the (?:delivery|parcel|engineer|appointment|visit)|when the (?:engineer|courier|driver)|beneficiar\w+)\b|\b(?:for|after|before) the (?:move|removals?)\b|\bremoval (?:van|men|firm|company)\b|\bi get paid\b|\bpay ?day\b|\bwhen (?:my )?(?:wages|salary|pay) (?:comes?|goes) in\b|发工资|工资到账|出国|搬家|退休|旅行|出差|航班|火车|快递|上门|换到|套餐|移民";

/// An everyday reason denied ("不是搬家", "not because I'm moving") excuses nothing: removed
/// before [`EVERYDAY_REASON`] looks.
const DENIED_REASON: &str = r"不是(?:因为|要)?(?:搬家|出国|移民|出差|旅行|退休)|\bnot (?:because (?:i'?m|we'?re) |that i'?m )?(?:moving|relocating|emigrating|going (?:abroad|away)|on holiday|retiring)\b";

/// A question asked just in case ("what should I do if one ever swallowed some? nothing's
/// happened", 现在没事，就是先问问): danger named in it is not happening, so neither the danger
/// patterns nor the reading by meaning raise the alarm on it ("nothing's happened yet" does
/// not count). Direct and indirect patterns are never excused by it.
const NOTHING_HAPPENED: &str = r"\bnothing(?:'s| has)? (?:actually |really )?happened(?:[,.;!?]|$)|\bno ?one(?:'s| was| is) (?:hurt|injured)\b|\beveryone(?:'s| is) (?:fine|ok|okay|safe)\b|人(?:都|倒是)?没(?:什么)?事|\bjust so i know\b|\bhypothetically\b|现在没事|没出什么事|还没出事|以防万一|防患于未然";

/// An errand about the very things crisis words name, which resemblance by characters alone
/// must not read as a crisis: a prescription renewed (安眠药 is a means too), a claim for an
/// accident long past (跳下来 is a jump too). The patterns still look (from the ninth
/// edition, a development set).
const ERRAND: &str = r"续(?:一下|个|开)?[^。！？]{0,6}(?:处方|药方)|(?:处方|药方)[^。！？]{0,6}(?:续|再开)|(?:去年|前年|上个月|几年前|以前|那年)[^。！？]{0,30}(?:所以|现在)[^。！？]{0,4}(?:申请|办|要|来)?(?:理赔|报销|索赔|赔偿)";

/// Danger to life around the caller.
const DANGER: &[&str] = &[
    r"\b(?:husband|wife|partner|boyfriend|girlfriend|ex|he|she|they|someone|somebody|a man|a woman|dad|father|mother|mum|mom|son|brother|neighbou?r)(?: is|'s| are|'re| keeps| has been| was)? (?:hitting|beating|hurting|attacking|choking|strangling|threatening|killing|stabbing) me\b",
    r"\b(?:going to|gonna|will|'ll|wants to|tried to|trying to) kill (?:me|us|my (?:wife|husband|partner|kids|children|son|daughter|family|baby|mum|mom|dad|mother|father))\b",
    r"\b(?:has|had|with|holding|pointing) (?:a |his |her )?(?:knife|gun|weapon|machete)\b|\bthreatening me with\b",
    r"\bbroke(?:n)? in\b|\bbreaking in\b|\bbreak-in\b",
    r"\b(?:not|isn'?t|is not|stopped|can'?t stop|hasn'?t been|barely|hardly) breathing\b",
    r"\bcollapsed\b|\bunconscious\b|\bwon'?t wake up\b|\bnot waking up\b",
    r"\b(?:there'?s|there is) a fire\b|\bon fire\b|\bcan'?t get out\b",
    r"\bi'?m not safe\b|\bi am not safe\b|\bscared for my life\b|\bfear for my life\b",
    // Mandarin
    r"打我|杀了我|杀我|掐我|家暴",
    r"(?:要|说要|扬言|威胁).{0,2}(?:弄死|杀死|打死|砍死|杀了|捅死)(?:我|我们|我孩子)",
    r"拿着?刀|有人.{0,4}(?:枪|刀)",
    r"闯进",
    r"(?:没有|没了|停止)呼吸",
    r"晕倒|昏迷|叫不醒|不省人事|倒在地上.{0,8}(?:没反应|没有反应|不动|叫不醒)",
    r"着火|出不去",
    r"\b(?:hands?|arm|rope|belt|cord) (?:around|round|on|at) my (?:throat|neck)\b",
    r"\b(?:a|some) (?:man|woman|guy|person|bloke|someone|somebody) (?:with|holding|waving) (?:a |an )?(?:gun|knife|weapon|machete|rifle|shotgun|axe)\b",
    r"\blips\b.{0,25}\b(?:blue|grey|gray|purple)\b|\bturning blue\b",
    r"掐(?:着|住)?(?:我|我的脖子)|拿着?(?:刀|枪|斧头|棍子)",
    r"喘不(?:上|过)气|(?:嘴唇|脸)(?:都)?(?:发紫|发青|青了|紫了)",
    r"\b(?:having|had) a (?:seizure|fit|heart attack|stroke)\b|\b(?:chest pain|can'?t breathe|choking)\b.{0,30}\b(?:help|ambulance|now|please)\b|\bhit by a (?:car|bus|van|lorry|truck)\b",
    r"\b(?:bleeding|losing blood) (?:heavily|badly|a lot|everywhere|won'?t stop)\b|\boverdosed\b|\bdrowning\b|\bsmoke (?:everywhere|coming in|pouring)\b|\bthe (?:house|flat|building|kitchen) is (?:on fire|burning)\b",
    r"\b(?:he|she|they|someone|somebody)(?:'s| is| are|'re) (?:breaking|trying to (?:get|break)) in\b|\b(?:he|she)(?:'s| is) (?:hitting|beating|hurting|attacking) (?:my|the) (?:mum|mom|mother|dad|kids?|children|son|daughter|baby|sister|brother|wife|husband)\b",
    r"(?:抽搐|心脏病(?:犯了|发作)|中风|被车撞|出车祸|溺水|流了(?:好多|很多)血|血流不止|着火了|烟(?:很大|进来)|煤气泄漏|有人(?:要)?砍人|(?:在|正在)打我(?:妈|爸|孩子|老婆|老公))",
    r"\b(?:drunk|drank|swallowed|eaten|ate)\b.{0,30}\b(?:bleach|cleaning|detergent|chemicals?|poison|batteries|weedkiller)\b|\b(?:going|gone) floppy\b|\b(?:unresponsive|won'?t respond|not responding)\b",
    r"喝了.{0,4}(?:洗衣液|消毒水|农药|84|清洁剂|洗洁精)|人都软了|(?:说要|要)(?:弄死|砍死|杀了)我",
    r"\b(?:going to|gonna|will|'ll|threatening to|says he'?ll|says she'?ll) (?:shoot|stab|kill|hurt) (?:the|his|her|my|our|their|them|us|everyone|people|me)\b",
    r"\b(?:he|she|they|someone|somebody|my \w+)(?:'s| has| have| is)? got (?:a|his|her) (?:gun|knife|weapon|machete|axe)\b|\blocked me in\b",
    r"拿着?.{0,2}(?:刀|枪|斧|棍)|(?:就|会)(?:弄死|砍死|杀了|打死)我|锁在.{0,4}(?:卧室|屋|房间|厕所)", // From the sixth edition: a child who swallowed something, a hand at the throat, a
    // threat not to hang up, carbon monoxide, someone fainted and not answering.
    r"(?:孩子|女儿|儿子|宝宝|小孩|闺女).{0,8}(?:吞|吃|喝)(?:了|下去了?|进去了?).{0,8}(?:洗碗块|药|电池|洗衣液|洗衣球|清洁剂|消毒|磁铁)",
    r"\b(?:grabbed|got|has|had|holding) me by the (?:throat|neck)\b|\b(?:kill|hurt) me if i (?:hang up|put the phone down|call|tell)\b|\bcarbon monoxide\b.{0,60}\b(?:fainted|collapsed|passed out|unconscious|not answering|won'?t wake)\b|\b(?:fainted|passed out)\b.{0,40}\b(?:not answering|won'?t wake|not responding|isn'?t moving)\b",
    r"\b(?:kids?|child|toddler|baby|son|daughter)\b.{0,30}\b(?:swallowed|eaten|drunk|drank)\b.{0,30}\b(?:tablets|pills|batteries|bleach|detergent|dishwasher|washing|pods|capsules|magnets)\b|\bgoing blue\b",
    // From the seventh edition (a development set), by concept: gas smelt with someone
    // dizzy or sick; someone lying still; a fire with someone still inside; smoke coming in
    // with no way out; a swelling throat and no breath.
    r"\b(?:smell of gas|gas smell|smell(?:s|t|ing)? (?:\w+ )?(?:of )?gas|gas leak)\b.{0,100}\b(?:dizzy|faint|fainted|headache|passed out|collapsed|drowsy|vomiting|throwing up|can'?t breathe|confused)\b|\b(?:dizzy|fainted|passed out|collapsed)\b.{0,60}\b(?:smell of gas|gas smell|gas leak)\b",
    r"\b(?:he|she)(?:'s not| is not| isn'?t) moving(?:[,.;!?]|$| and| at all| anymore)",
    r"\b(?:caught fire|on fire|ablaze|flames|smoke)\b.{0,80}\b(?:someone|somebody|people|kids|children|he|she|they|my \w+)(?:'s| is| are|'re)? (?:still )?(?:inside|in there|trapped)\b|\b(?:has|have|'s|'ve|just) caught fire\b",
    r"\b(?:throat|tongue|lips|face)\b.{0,30}\bswell\w*\b.{0,60}\b(?:breath|breathe|breathing|wheez\w*)\b|\bcan'?t (?:get|catch) (?:his|her|their) breath\b|\b(?:struggling|fighting|gasping) (?:to breathe|for breath|for air)\b",
    r"(?:孩子|女儿|儿子|宝宝|小孩|闺女).{0,4}把.{0,12}(?:洗碗块|药|电池|洗衣液|洗衣球|洗衣凝珠|清洁剂|消毒|磁铁).{0,4}(?:吞|吃|喝)",
    r"(?:往里|往屋里|进来|门缝|门底下|门下面).{0,4}冒烟|冒烟.{0,30}(?:打不开|出不去|困住|被困)|(?:打不开|出不去).{0,20}(?:冒烟|浓烟|烟雾|全是烟)",
    // From the ninth edition (a development set), by concept: gas smelt with someone not
    // answering or not moving (any wording of the smell) and, in Mandarin, with any symptom;
    // a throat closing or swelling with breath or a sting; someone who does not answer when
    // called; a household chemical (any …剂) drunk by a child; someone's goodbye (a note, a
    // message: loves us, thanks for everything) and now no answer or a locked door.
    r"\b(?:smell of gas|gas smell|smell(?:s|t|ing)? (?:\w+ )?(?:of )?gas|gas leak|(?:reeks?|stinks?|reeking|stinking) of gas)\b.{0,100}\b(?:not answering|isn'?t answering|won'?t answer|not responding|won'?t wake|can'?t wake|not moving|isn'?t moving|unresponsive|dizzy|passed out|collapsed)\b|(?:煤气|燃气|天然气)(?:味|泄漏|漏了)[^。]{0,40}(?:头晕|头疼|头痛|恶心|想吐|晕倒|晕过去|不动|叫不醒|喘不上气|没反应|不应)|(?:头晕|恶心|想吐|晕倒|叫不醒)[^。]{0,30}(?:煤气|燃气|天然气)(?:味|泄漏)",
    r"\b(?:throat|airway)(?:'s| is)? (?:closing|tightening|swelling)(?: up)?\b.{0,60}\b(?:breath|breathe|breathing|wheez\w*|gasping)\b|\b(?:stung|sting|allerg\w*|peanuts?|bee|wasp|anaphyla\w*)\b.{0,60}\b(?:throat|airway)(?:'s| is)? (?:closing|tightening|swelling)\b|(?:喉咙|嗓子|舌头|嘴唇)[^。！？]{0,4}肿[^。！？]{0,20}(?:喘|呼吸|憋)|(?:蛰|过敏)[^。！？]{0,12}(?:喉咙|嗓子)(?:都)?肿",
    r"叫(?:他|她|了)?(?:也|都|半天)?(?:不应|没应|没反应|不答应)",
    r"(?:孩子|女儿|儿子|宝宝|小孩|闺女)[^。！？]{0,8}把[^。！？]{0,12}(?:疏通剂|漂白|洁厕|消毒|清洁剂|干燥剂|杀虫剂|老鼠药|农药|酒精|[^，。]{0,4}剂)[^。！？]{0,4}(?:喝|吞|吃)|(?:孩子|女儿|儿子|宝宝|小孩|闺女)[^。！？]{0,12}(?:喝|吞|吃)了?(?:一口|几口|下去|进去)?[^。！？]{0,4}(?:疏通剂|漂白|洁厕|消毒|清洁剂|干燥剂|杀虫剂|老鼠药|洗衣液|洗洁精|农药)",
    r"\b(?:note|message|messages|text|texts|texting|texted|letter)\b.{0,80}\b(?:loves? (?:us|you|me)|thanks? (?:me |us )?for everything|goodbye|look after (?:mum|mom|dad|the kids|yourself|everyone)|sorry for (?:everything|being))\b.{0,100}\b(?:won'?t (?:pick up|answer|open)|not (?:answering|picking up|responding)|isn'?t (?:answering|picking up|responding)|door'?s? (?:is )?locked|phone'?s? (?:off|dead)|can'?t (?:reach|get hold of|get through to))|(?:纸条|消息|短信|微信|信|留言)[^。！？]{0,30}(?:爱你们|爱我们|谢谢[^。！？]{0,4}这些年|照顾好(?:自己|妈|爸|孩子)|下辈子|永别|再见了)[^。]{0,60}(?:不接|没接|反锁|敲不开|不开门|关机|联系不上|找不到人|不回)",
    // From the tenth edition (a development set), by concept: gas smelt with a flame or
    // someone asleep (a child with the caller, ready to leave, is an anxious caller, not a
    // crisis); a stroke's face and speech; flames seen or spreading.
    r"\b(?:smell of gas|gas smell|smell(?:s|t|ing)? (?:\w+ )?(?:of )?gas|(?:reeks?|stinks?|reeking|stinking) of gas|gas leak)\b.{0,120}\b(?:cigarette|lighter|lit|match|spark|naked flame|asleep|sleeping)\b",
    r"\b(?:slurr\w+|words (?:are )?coming out wrong|can'?t (?:speak|talk) properly)\b.{0,80}\b(?:face|mouth)\b.{0,30}\b(?:droop\w*|fallen|gone down|one side)\b|\b(?:face|mouth)\b.{0,30}\b(?:droop\w*)\b.{0,80}\b(?:slurr\w+|can'?t (?:speak|talk|lift))\b",
    r"\b(?:there'?s|there are|i can see) (?:\w+ )?flames\b|\bit'?s caught the (?:curtains?|sofa|bed|carpet|wall|roof|kitchen)\b|\bflames\b.{0,40}\b(?:moving|spreading|getting closer|coming (?:this way|towards))\b",
    r"(?:说不出话|口齿不清|说话不清楚)[^。]{0,20}(?:嘴歪|半边(?:脸|嘴)|手(?:也)?抬不起来)|(?:嘴歪|半边(?:脸|嘴)(?:歪|麻))[^。]{0,20}(?:说不出话|口齿不清|抬不起来)",
    r"(?:煤气|燃气|天然气)(?:味|泄漏|漏了)[^。]{0,40}(?:睡觉|睡着|抽烟|点火|打火|开灯|开关)",
];

struct Rules {
    hyperbole: Regex,
    direct: RegexSet,
    indirect: RegexSet,
    worth: RegexSet,
    danger: RegexSet,
    everyday: Regex,
    denied: Regex,
    nothing_happened: Regex,
    errand: Regex,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let set = |p: &[&str]| {
        RegexSet::new(p.iter().map(|p| format!("(?i){p}")))
            .unwrap_or_else(|e| unreachable!("crisis patterns are valid: {e}"))
    };
    let one = |p: &str| {
        Regex::new(&format!("(?i){p}")).unwrap_or_else(|e| unreachable!("valid pattern: {e}"))
    };
    Rules {
        hyperbole: one(&HYPERBOLE.join("|")),
        direct: set(DIRECT),
        indirect: set(INDIRECT),
        worth: set(WORTH),
        danger: set(DANGER),
        everyday: one(EVERYDAY_REASON),
        denied: one(DENIED_REASON),
        nothing_happened: one(NOTHING_HAPPENED),
        errand: one(ERRAND),
    }
});

/// Whether `text` (one caller utterance) speaks of a crisis, and of which kind. Danger and
/// direct language come first, then what is said of the caller's own worth; a weaker
/// indirect cue with an everyday reason beside it does not count.
pub fn detect(text: &str) -> Option<CrisisKind> {
    detect_blanked(&blanked(text))
}

/// [`detect`] on text already [`blanked`].
fn detect_blanked(text: &str) -> Option<CrisisKind> {
    let rules = &*RULES;
    if rules.danger.is_match(text)
        && !rules.nothing_happened.is_match(text)
        && rules.danger.is_match(&super::crisis_animals::blank(text))
    {
        return Some(CrisisKind::Danger);
    }
    if rules.direct.is_match(text) {
        return Some(CrisisKind::Direct);
    }
    if rules.worth.is_match(text) {
        return Some(CrisisKind::Indirect);
    }
    (rules.indirect.is_match(text) && !has_everyday_reason(text)).then_some(CrisisKind::Indirect)
}

/// Whether blanked `text` gives an everyday reason it does not deny in the same breath.
fn has_everyday_reason(text: &str) -> bool {
    let rules = &*RULES;
    rules
        .everyday
        .is_match(&rules.denied.replace_all(text, " "))
}

/// Whether blanked `text` says outright that nothing has happened (a question asked just in
/// case): the reading by meaning leaves it alone too.
pub(crate) fn says_nothing_happened(text: &str) -> bool {
    RULES.nothing_happened.is_match(text)
}

/// `text` lower-cased with its hyperbole blanked out (what every second look reads too).
pub(crate) fn blanked(text: &str) -> String {
    let text = text.replace(['\u{2019}', '\u{2018}'], "'").to_lowercase();
    RULES.hyperbole.replace_all(&text, " ").into_owned()
}

/// The patterns ([`detect`]), then for Mandarin the resemblance to the crisis exemplars by
/// characters ([`super::crisis_chars`]; counted as indirect): what the guard, the flows and
/// `voxgate emotion` ask.
pub fn judge(text: &str) -> Option<CrisisKind> {
    let text = blanked(text);
    detect_blanked(&text).or_else(|| {
        (crate::emotion::is_mandarin(&text)
            && !RULES.errand.is_match(&text)
            // Read whole: a clause left alone ("我真的很着急") resembles too much.
            && !super::crisis_animals::about_animals_only(&text)
            && super::crisis_chars::resembles_crisis(&text))
        .then_some(CrisisKind::Indirect)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_animal_killed_is_no_wish_to_die_and_no_point_me_going_on_is_one() {
        assert_eq!(detect("黄鼠狼咬死了好几只鸡，你们看鸡吗？"), None);
        assert_eq!(detect("我死了好，大家都轻松"), Some(CrisisKind::Direct));
        assert_eq!(
            detect("now she's gone there's no point me carrying on"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("my dog collapsed and isn't breathing, can i bring him in?"),
            None
        );
        assert_eq!(
            detect("the dog's fine but my dad collapsed and isn't breathing"),
            Some(CrisisKind::Danger)
        );
    }

    #[test]
    fn hyperbole_is_blanked_but_the_same_words_in_earnest_are_not() {
        assert_eq!(detect("This wait is killing me."), None);
        assert_eq!(
            detect("I'm going to kill myself."),
            Some(CrisisKind::Direct)
        );
        assert_eq!(detect("气死我了"), None);
        assert_eq!(detect("我想死"), Some(CrisisKind::Direct));
        assert_eq!(detect("想死你们了"), None);
        assert_eq!(detect("我不想死"), None);
        assert_eq!(
            detect("My mum will kill me if this isn't fixed"),
            None,
            "a joke about a parent"
        );
        assert_eq!(
            detect("He's going to kill me when he gets home"),
            Some(CrisisKind::Danger)
        );
    }

    #[test]
    fn body_parts_and_busy_days_killing_me_are_hyperbole_a_threat_on_the_line_is_not() {
        assert_eq!(detect("My back is killing me after the move"), None);
        assert_eq!(detect("I'm starving to death, where's my order"), None);
        assert_eq!(
            detect("my mum is going to kill me when she finds out i lost her parcel"),
            None
        );
        assert_eq!(
            detect("he says he'll kill me if i hang up the phone"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("my son swallowed some of the dishwasher tablets"),
            Some(CrisisKind::Danger)
        );
    }

    #[test]
    fn an_everyday_reason_excuses_only_weak_cues() {
        assert_eq!(
            detect("I'm putting my affairs in order before moving abroad"),
            None
        );
        assert_eq!(
            detect("I've put my affairs in order"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("Before moving abroad I want to end my life"),
            Some(CrisisKind::Direct)
        );
    }

    #[test]
    fn means_at_hand_with_an_intent_is_a_crisis_and_the_same_words_in_everyday_use_are_not() {
        assert_eq!(
            detect("I'm on the roof of the multi-storey and I'm going to jump when I hang up"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(
            detect("I'm at the edge of my patience, I'm going to jump ship to another provider"),
            None
        );
        assert_eq!(
            detect("the car's in the garage, the door's shut and the engine's running"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(
            detect("my car's in the garage with the door shut and the engine won't start"),
            None
        );
        assert_eq!(
            detect("I've been saving my painkillers for weeks, there's more than enough now"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I've been counting my tablets and there's not enough for the holiday"),
            None
        );
        assert_eq!(detect("木炭和胶带都放在车里了"), Some(CrisisKind::Direct));
        assert_eq!(detect("烧烤用的木炭买好了，周六送到就行"), None);
        assert_eq!(
            detect("车库门关着，发动机一直开着"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(detect("我最近一直想着怎么去死"), Some(CrisisKind::Direct));
        assert_eq!(
            detect("你想去死吗？这么晚还打电话"),
            None,
            "said to someone else"
        );
    }

    #[test]
    fn final_arrangements_are_indirect_unless_an_everyday_reason_is_given_and_not_denied() {
        assert_eq!(
            detect("I'm giving all my stuff away this week, I won't need any of it"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I'm giving away my old sofa, can you take it?"),
            None
        );
        assert_eq!(
            detect("You won't need to chase me after this week."),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("You won't need to chase me after Friday, I get paid then."),
            None
        );
        assert_eq!(
            detect("以后我就不在了，信都写好了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("到时候我不会在了，哪儿都不会在了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("不是搬家，过了这周我就不在了，都停了吧"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("我要搬家了，过了这周我就不在了，都停了吧"), None);
        assert_eq!(
            detect("我已经跟所有人都告别过了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I've put all my affairs in order for the move, the removal van comes Friday"),
            None
        );
    }

    #[test]
    fn danger_to_life_is_caught_and_a_question_asked_just_in_case_is_not() {
        assert_eq!(
            detect("there's a strong smell of gas and my mum feels dizzy and sick"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("he's at the bottom of the stairs, he's not moving and his lips have gone blue"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("the flat next door has caught fire and somebody's still inside"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("his throat is swelling up and he's wheezing, he can't get his breath"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("卧室门底下一直往里冒烟，窗户打不开"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(detect("充电器冒烟了，要不要换一个？"), None);
        assert_eq!(
            detect("the fire alarm keeps going off and the kids are stuck inside, it's raining"),
            None
        );
    }

    #[test]
    fn jokes_funerals_instalments_and_policy_terms_are_not_crises() {
        assert_eq!(detect("看到账单我都不想活了，哈哈，开玩笑的"), None);
        assert_eq!(
            detect("我不想活了，不是开玩笑"),
            Some(CrisisKind::Direct),
            "不是开玩笑 means it"
        );
        assert_eq!(detect("礼物周六前到不了她就要杀了我"), None);
        assert_eq!(detect("他说我要是报警他就杀了我"), Some(CrisisKind::Danger));
        assert_eq!(detect("这是我最后一期贷款了吧"), None);
        assert_eq!(detect("这是我最后一次打电话问这个事了"), None);
        assert_eq!(
            detect("这是我最后一次打电话了，以后不会再麻烦你们了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("我奶奶周一走了，下周办后事"), None);
        assert_eq!(detect("我已经把后事都交代好了"), Some(CrisisKind::Indirect));
        assert_eq!(detect("有的保单第一年自杀是不赔的吗"), None);
        assert_eq!(
            detect("Does the life policy have a suicide exclusion in the first year?"),
            None
        );
        assert_eq!(
            detect("I nearly had a heart attack when the bill came"),
            None
        );
        assert_eq!(
            detect("if my boss sees this phone bill he'll kill me, so can you split it"),
            None
        );
        assert_eq!(
            detect("My dad's having a heart attack, please help"),
            Some(CrisisKind::Danger)
        );
    }

    #[test]
    fn what_is_said_of_ones_own_worth_is_never_excused_by_an_errand_a_weaker_cue_is() {
        assert_eq!(
            detect("About the holiday booking: my family would be far happier if I wasn't around"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("It'd be easier if I wasn't in for the delivery, can it go to a neighbour?"),
            None
        );
        assert_eq!(
            detect("I'm sick of being a weight on my kids"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("Sorry for being a nuisance, can you check my order?"),
            None
        );
        assert_eq!(
            detect("There's a letter on the table for whoever finds me"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("A reward for whoever finds my lost wallet"), None);
        assert_eq!(
            detect("I've had my time, and I'm ready to let go now"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I'm ready to go now, can you hurry the refund?"),
            None
        );
        assert_eq!(
            detect("I don't trust myself alone tonight"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("I don't trust myself to remember the PIN"), None);
        assert_eq!(detect("我不想再连累我爸妈了"), Some(CrisisKind::Indirect));
        assert_eq!(
            detect("要是没有我，他们都省心了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("这手机太沉了，真是个累赘"), None);
        assert_eq!(detect("我怕自己会做傻事"), Some(CrisisKind::Indirect));
        assert_eq!(detect("我怕快递员找不到地址"), None);
    }

    #[test]
    fn plots_pretence_and_idioms_are_blanked_the_same_words_said_of_oneself_are_not() {
        assert_eq!(
            detect("I'd only be shooting myself in the foot if I cancelled now"),
            None
        );
        assert_eq!(
            detect("I'm going to shoot myself"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(
            detect("my daughter was playing dead in the garden for a video, anyway the wifi"),
            None
        );
        assert_eq!(
            detect("my daughter's unconscious in the garden"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("we saw a show where a man takes his own life, anyway, my subscription"),
            None
        );
        assert_eq!(
            detect("I want to take my own life"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(detect("那部剧里女主最后跳河了，我想问下会员怎么退"), None);
        assert_eq!(detect("我想跳河"), Some(CrisisKind::Direct));
        assert_eq!(detect("小孩在视频里装死，我问下流量怎么算"), None);
        assert_eq!(detect("孩子突然晕倒了"), Some(CrisisKind::Danger));
        assert_eq!(detect("再让我排队两小时，我宁可去死"), None);
        assert_eq!(detect("看到账单差点心脏病发作"), None);
        assert_eq!(detect("我爸心脏病发作了"), Some(CrisisKind::Danger));
        assert_eq!(detect("我要销户，这是最后一次打给你们了"), None);
        assert_eq!(detect("I nearly died of fright when the bill came"), None);
        assert_eq!(
            detect("I won't be around for two weeks, I'm having an operation"),
            None
        );
        assert_eq!(
            detect("I won't be around much longer"),
            Some(CrisisKind::Indirect)
        );
    }

    #[test]
    fn a_means_with_an_intent_is_direct_the_means_or_the_decision_alone_is_not() {
        assert_eq!(
            detect("I'm going to steer the van straight into the motorway pillar"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(
            detect("A lorry drove into the pillar outside, can you reroute the parcel?"),
            None
        );
        assert_eq!(detect("我打算明天开车冲进水库"), Some(CrisisKind::Direct));
        assert_eq!(detect("新闻说一辆车冲下山崖了"), None);
        assert_eq!(
            detect("how many of my sleeping tablets would it take"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(detect("how many tablets can I take in a day?"), None);
        assert_eq!(detect("我查过吃多少片会死"), Some(CrisisKind::Direct));
        assert_eq!(detect("一天吃多少片比较合适"), None);
        assert_eq!(
            detect("I've made up my mind. The rope is in the shed."),
            Some(CrisisKind::Direct)
        );
        assert_eq!(
            detect("I've made up my mind, I'll take the fibre deal"),
            None
        );
        assert_eq!(
            detect("I'm up on the bridge and I'm going over once I put the phone down"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(
            detect("The aerial on the roof is loose, I'll go up and fix it when I hang up"),
            None
        );
        assert_eq!(
            detect("车停在大桥上，挂了电话就下去"),
            Some(CrisisKind::Direct)
        );
        assert_eq!(detect("我家就在大桥旁边，挂了电话就下楼拿快递"), None);
        assert_eq!(detect("我在楼顶晒被子，挂了电话就下去"), None);
    }

    #[test]
    fn final_arrangements_said_another_way_are_indirect_and_excused_by_an_everyday_reason() {
        assert_eq!(
            detect(
                "I've tidied the accounts so my partner won't have to deal with anything after Sunday"
            ),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I've written cards to all of my grandchildren and sealed them"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I've written cards to all of my grandchildren, before we move to Spain"),
            None
        );
        assert_eq!(
            detect("after next week there won't be a me to send letters to"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("there won't be anyone in to sign for it"), None);
        assert_eq!(
            detect("I handed my tools to my nephew, no point keeping them now."),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("I handed my old phone to my son, no point keeping it now I've upgraded"),
            None
        );
        assert_eq!(
            detect("I just wanted to hear a friendly voice one last time"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("can I speak to someone real, not a robot?"), None);
        assert_eq!(
            detect("after tonight I won't be able to sign anything"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("after tonight I won't be able to sign anything, because I'm travelling"),
            None
        );
        assert_eq!(detect("I've chosen the day."), Some(CrisisKind::Indirect));
        assert_eq!(detect("I've chosen the day for the engineer visit"), None);
        assert_eq!(
            detect("One-way ticket, and I've packed everything I need"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(
            detect("One-way ticket, I've packed everything I need, because we're emigrating"),
            None
        );
        assert_eq!(
            detect("the tablets are lined up on my bed"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("the tablets are lined up in the blister pack"), None);
        assert_eq!(detect("日子都定好了"), Some(CrisisKind::Indirect));
        assert_eq!(detect("结婚的日子定好了，想订酒席"), None);
        assert_eq!(
            detect("只订了单程，要带的东西都带齐了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("单程票，要带的东西都带齐了，移民去新西兰"), None);
        assert_eq!(detect("以后我人也不在了"), Some(CrisisKind::Indirect));
        assert_eq!(detect("我人都不在家，怎么签收"), None);
        assert_eq!(detect("该见的人都见过了"), Some(CrisisKind::Indirect));
        assert_eq!(detect("该见的客户都见过了"), None);
        assert_eq!(detect("安眠药都摆在桌上了"), Some(CrisisKind::Indirect));
        assert_eq!(detect("药放在桌上了，你来取吧"), None);
        assert_eq!(
            detect("过了今晚我就什么都签不了了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("过了今晚我就签不了了，明天出差"), None);
        assert_eq!(
            detect("周四以后我就哪儿也不去了，都想好了"),
            Some(CrisisKind::Indirect)
        );
        assert_eq!(detect("周四以后我就哪儿也不去了，在家养伤"), None);
    }

    #[test]
    fn danger_said_another_way_is_caught_and_the_same_words_in_an_errand_are_not() {
        assert_eq!(
            detect("there's a stink of gas in the hallway and my uncle won't answer"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("there's a smell of gas near the meter, can someone check it?"),
            None
        );
        assert_eq!(
            detect("屋里一股燃气味，我妈说恶心想吐"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(detect("租的房子有点燃气味，想约人检查"), None);
        assert_eq!(
            detect("she ate a prawn and her throat is tightening, she can hardly breathe"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("my throat's closing up just thinking about this bill"),
            None
        );
        assert_eq!(detect("被蜜蜂蛰了，嗓子肿了"), Some(CrisisKind::Danger));
        assert_eq!(detect("嗓子肿了，想问下能不能改约时间"), None);
        assert_eq!(
            detect("我妈坐在沙发上，叫她也不应"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(detect("我叫了快递员半天也不应"), None);
        assert_eq!(detect("孩子把一瓶杀虫剂喝了一口"), Some(CrisisKind::Danger));
        assert_eq!(detect("杀虫剂能寄快递吗"), None);
        assert_eq!(
            detect("my brother sent a message saying he loves us all and now his phone's off"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(
            detect("the courier left a note saying sorry we missed you and now they won't pick up"),
            None
        );
        assert_eq!(
            detect("我爸发微信说谢谢我们这些年，现在电话关机了"),
            Some(CrisisKind::Danger)
        );
        assert_eq!(detect("快递员发短信说谢谢，然后就关机了"), None);
    }

    #[test]
    fn the_tenth_editions_concepts_said_anew_are_caught_and_their_near_misses_are_not() {
        let crises = [
            "The noose is already up in the loft, I just wanted someone to know.",
            "I've been saving them up for weeks, the tablets, not taking them.",
            "Give my records to my nephew, where I'm going I won't need them.",
            "By the weekend I'm not going to be here to see the bill anyway.",
            "That's the day I picked, so the contract can end then.",
            "There's a smell of gas on the landing and my flatmate just lit the hob.",
            "He's slurring and one side of his face has dropped, it's gone droopy.",
            "我已经想好了，今天晚上就结束自己。",
            "该见的人也都见过了，没什么牵挂了。",
            "我这个人活着也挺多余的。",
        ];
        for c in crises {
            assert!(detect(c).is_some(), "{c}");
        }
        let near_misses = [
            "The rope is hanging in the garden for the washing, can you deliver the pegs?",
            "I'm not taking them any more, the doctor stopped them, can I return the pack?",
            "Tonight's the night of the big match, can I move the engineer to tomorrow?",
            "I won't be around for the next three weeks, we're off to Spain.",
            "I'm going travelling for a year so I'm not going to be here to use the number.",
            "Was there a gas leak reported on my street last week? No one was hurt, I hope.",
            "旧玩具都送人了，家里干净多了。",
            "老板说这单再搞砸他就弄死我，能加急吗？",
            "我朋友出车祸住院了，人没事，信用卡能延期吗？",
        ];
        for n in near_misses {
            assert_eq!(detect(n), None, "{n}");
        }
    }

    #[test]
    fn an_errand_about_a_prescription_or_an_old_claim_is_not_read_by_resemblance() {
        assert_eq!(judge("我想续一下安眠药的处方，跟上次一样"), None);
        assert_eq!(judge("前年从墙上跳下来摔了腿，所以现在来办理赔"), None);
        assert_eq!(judge("安眠药我攒了好几个月了"), Some(CrisisKind::Indirect));
    }
}
