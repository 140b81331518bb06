//! Cue phrases of support calls, English and Mandarin: what in the words points to one
//! feeling more than another. Anger: threats to leave, complain or sue, insults, profanity,
//! demands. Frustration: repeated contact, waiting, being passed around, things still not
//! working, sarcasm's set phrases. Anxiety: what-ifs, deadlines, money at risk, fraud. Sadness:
//! loss, loneliness, resignation. Satisfaction: thanks, praise, a problem solved.
//!
//! Owns the patterns and [`find`]; each hit says which label it supports, how strongly, and
//! the words that matched (the `cues` of `voxgate emotion`).

use std::sync::LazyLock;

use regex::Regex;

use super::Label;

/// One pattern: the label it supports, its weight, a short name.
struct Rule {
    label: Label,
    weight: f32,
    name: &'static str,
    pattern: &'static str,
}

const fn r(label: Label, weight: f32, name: &'static str, pattern: &'static str) -> Rule {
    Rule {
        label,
        weight,
        name,
        pattern,
    }
}

use Label::{Angry, Anxious, Frustrated, Sad, Satisfied};

/// English rules (matched on the lower-cased text, apostrophes straightened).
const EN: &[Rule] = &[
    // Anger: leaving, complaining, suing; insults; profanity; demands.
    r(
        Angry,
        1.6,
        "threat",
        r"\b(?:(?:i'?ll|i will|i'?m going to|i'?m gonna|or i'?ll|or i'?m|or else i'?ll) (?:cancel|close|switch|leave|take my|be (?:leaving|switching|cancell?ing))|or (?:else|i'?m (?:doing|filing|going))|charge ?back|take my (?:business|money|custom) elsewhere|never (?:use|buy from|deal with) you|last (?:chance|warning)|simple as that)",
    ),
    r(
        Angry,
        2.0,
        "legal",
        r"\b(?:my (?:lawyer|solicitor|attorney)|(?:i'?ll|i will|i'?m going to|gonna) (?:sue|take you to court|report you)|see you in court|legal action|small claims|ombudsman|regulator|trading standards|ofcom|ofgem|the fca|bbb|consumer (?:rights|protection))\b",
    ),
    r(
        Angry,
        1.4,
        "complaint",
        r"\b(?:formal complaint|complain(?:ing)? (?:to|about)|report(?:ing)? you|(?:to|tell) the (?:press|papers|media|news)|(?:review|post) (?:about )?(?:this|you) (?:everywhere|online)|social media)\b",
    ),
    r(
        Angry,
        1.6,
        "insult",
        r"\b(?:useless|incompetent|idiots?|clowns?|morons?|stupid|pathetic|disgrace(?:ful)?|joke of a|a joke|scam(?:mers?)?|crooks?|thie(?:f|ves)|liars?|rip[- ]?off|daylight robbery|shambles|outrageous|unacceptable|ridiculous|absurd|appalling|disgust(?:ing|ed)|insulting|shocking|a disgrace|taking the piss|having a laugh)\b",
    ),
    r(
        Angry,
        1.8,
        "profanity",
        r"\b(?:fuck\w*|f\*+\w*|shit\w*|bullshit|crap|damn(?:ed)?|bloody|hell|piss(?:ed)?|bastards?|arse|ass(?:hole)?s?|wtf|screw(?:ed)? (?:you|me|this))\b",
    ),
    r(
        Angry,
        1.2,
        "demand",
        r"\b(?:i demand|right now|right this minute|immediately|get me (?:your|a) (?:manager|supervisor|boss)|put me through to (?:your|a) (?:manager|supervisor)|i want (?:my money back|a refund) (?:now|today)|don'?t (?:you )?(?:dare|tell me to calm down)|how dare)\b",
    ),
    r(
        Angry,
        1.0,
        "anger word",
        r"\b(?:angry|furious|livid|fuming|outraged|seething|sick (?:and tired )?of (?:you|this)|had it with|had enough)\b",
    ),
    // Frustration: again, still, waiting, passed around, not working, sarcasm.
    r(
        Frustrated,
        1.4,
        "repeat contact",
        r"\b(?:(?:second|third|fourth|fifth|sixth|tenth|\d+(?:st|nd|rd|th)) time|(?:two|three|four|five|six|several|many|multiple|how many) (?:times|calls)|called (?:you )?(?:again|before|already|twice|three times)|(?:already|keep) (?:told|explained|called|calling|explaining)|every (?:single )?time i call|same (?:thing|problem|issue|story) (?:again|every)|yet again|once again|again and again|over and over)\b",
    ),
    r(
        Frustrated,
        1.1,
        "still",
        r"\b(?:still (?:not|no|hasn'?t|haven'?t|isn'?t|doesn'?t|don'?t|waiting|nothing|broken|down|wrong)|nothing(?: has)? (?:changed|happened)|no one (?:has )?(?:called|got|rang|came)|nobody (?:has )?(?:called|got|rang|came|knows|can tell)|never (?:heard|got) back|no(?:body| one) (?:ever )?(?:calls?|gets?) back)\b",
    ),
    r(
        Frustrated,
        1.1,
        "waiting",
        r"\b(?:on hold (?:for )?|been waiting|waited|wait(?:ing)? (?:for )?(?:ages|hours|days|weeks|months|forever)|(?:an|one|two|three|\d+) (?:hours?|days?|weeks?|months?) (?:now|already)|how much longer|since (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|last week|last month)|(?:didn'?t|never) (?:turn(?:ed)? up|show(?:ed)? up|arrive[ds]?)|no[- ]show)\b",
    ),
    r(
        Frustrated,
        1.2,
        "passed around",
        r"\b(?:transferred|passed (?:around|from|between)|put through to (?:the )?wrong|going (?:round|around) in circles|run(?:ning)? around|bounced (?:around|between)|nobody takes responsibility|not my department)\b",
    ),
    r(
        Frustrated,
        0.6,
        "not working",
        r"\b(?:(?:doesn'?t|does not|isn'?t|is not|won'?t|keeps?) (?:work|working|load|connect|go through|dropping|failing|crashing|cutting out)|not working|broken again|keeps? (?:happening|going down|dropping))\b",
    ),
    r(
        Frustrated,
        1.3,
        "sarcasm",
        r"\b(?:oh (?:great|brilliant|wonderful|fantastic|perfect|lovely|good)|just what i needed|thanks (?:a lot|for nothing)|love (?:how|that) (?:you|it|i)|(?:great|brilliant|fantastic) service,? (?:really|truly)|wonderful,? (?:another|more)|how (?:lovely|nice|convenient)|what a (?:surprise|shock)|shocker|of course (?:it|you) (?:did|didn'?t|has|hasn'?t|is|isn'?t|does|doesn'?t)|yeah,? right)\b",
    ),
    r(
        Frustrated,
        1.0,
        "rhetorical",
        r"\b(?:how hard (?:can|is) it|why is (?:it|this|everything) so (?:hard|difficult|complicated)|is (?:anyone|anybody) (?:there|listening)|what is the point|what'?s the point|seriously\?|are you (?:kidding|serious|joking)|you'?re (?:kidding|joking)|unbelievable|honestly\b.{0,20}\b(?:again|still)|why (?:does|do|is|are|did|won'?t|can'?t|would)\b.{0,40}\b(?:keep|still|again|never|always)|says one thing)",
    ),
    r(
        Frustrated,
        0.9,
        "fed up",
        r"\b(?:fed up|frustrat\w+|annoy\w+|irritat\w+|exasperat\w+|tired of|sick of|getting nowhere|not good enough|not acceptable|fobbed off|messed (?:me )?around|hassle|nightmare|waste of (?:my )?time|not (?:ideal|great|brilliant|on|right|fair|okay|ok)|took (?:the|a) (?:whole )?day off)\b",
    ),
    // Anxiety: what if, deadlines, money or safety at risk.
    r(
        Anxious,
        1.6,
        "what if",
        r"\b(?:what (?:happens|if|will happen)|will i (?:lose|be (?:charged|fined|cut off|evicted))|am i going to (?:lose|be)|is (?:my|the) (?:money|account|card|data|house) (?:safe|gone|ok)|is it (?:safe|too late|actually|really)|could i (?:lose|get)|does (?:that|this) mean i|should i\b|what (?:do|should) i do|was that (?:you|really you|real)|is (?:this|that) (?:a scam|real|legit))\b",
    ),
    r(
        Anxious,
        1.2,
        "deadline",
        r"\b(?:before (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|the (?:weekend|deadline|end of))|by (?:tomorrow|tonight|friday|monday|the end of)|deadline|due (?:tomorrow|today|on|at)|in (?:an hour|a few hours|\w+ hours)|first thing tomorrow|(?:flight|train|appointment|surgery|operation|interview)'?s? (?:is )?(?:in|at|tomorrow|tonight|today)|running out of time|in time|as soon as (?:possible|you can)|urgent(?:ly)?|time is running out|need (?:this|it) (?:sorted|fixed|done) (?:today|now|before|by|asap))\b",
    ),
    r(
        Anxious,
        1.3,
        "money at risk",
        r"\b(?:can'?t afford|overdrawn|overdraft|bounce[ds]?|declined|late (?:fee|payment|charge)|(?:cut|cutting) (?:me )?off|disconnect(?:ed|ion)|evict\w*|repossess\w*|debt collectors?|bailiffs?|credit (?:score|rating|file)|lose (?:my|the) (?:house|job|flat|home|deposit))\b",
    ),
    r(
        Anxious,
        1.4,
        "fraud",
        r"\b(?:fraud\w*|scam(?:med)?|hacked|stolen|unauthori[sz]ed|someone (?:else )?(?:has|is|used|took|took out|logged)|don'?t recogni[sz]e (?:this|these|the|a)|identity theft|suspicious|clicked (?:it|the link|a link)|smell(?:ing)? (?:gas|burning|smoke)|sparks?|smoke)\b",
    ),
    r(
        Anxious,
        1.4,
        "worry word",
        r"\b(?:worr\w+|anxious|nervous|scared|afraid|frightened|panic\w*|stress(?:ed|ing)|terrified|can'?t sleep|freaking out|on edge|concerned)\b",
    ),
    r(
        Anxious,
        0.8,
        "pleading",
        r"\b(?:please,? (?:please|i need|i really|just tell me|help)|i really need|i just need to know|can you (?:please )?(?:just )?tell me (?:if|whether)|i don'?t know what (?:will|is going to) happen)\b",
    ),
    // Sadness: loss, loneliness, resignation, disappointment.
    r(
        Sad,
        1.8,
        "loss",
        r"\b(?:passed away|died|death|funeral|bereave\w*|widow\w*|late (?:husband|wife|mum|mom|mother|father|dad|partner|son|daughter)|(?:husband|wife|mum|mom|mother|father|dad|partner|son|daughter|brother|sister|gran|grandma|grandad|nan) (?:passed|died)|lost my (?:husband|wife|mum|mom|mother|father|dad|partner|son|daughter|job|dog|cat|baby)|since (?:he|she) (?:went|died|passed)|without (?:him|her) now|first (?:time|christmas|birthday) without|no longer with us|terminal|split up|broke up|divorce)\b",
    ),
    r(
        Sad,
        1.0,
        "alone",
        r"\b(?:i'?m (?:all |so )?alone|feel(?:ing)? (?:so )?alone|lonely|on my own now|no one (?:to talk|else|calls|visits|cares)|nobody (?:to talk|else|calls|visits|cares)|by myself now|(?:he|she) (?:used to|always) (?:do|did|handle|sort))\b",
    ),
    r(
        Sad,
        1.1,
        "resigned",
        r"\b(?:i give up|(?:there'?s )?no point|never mind|doesn'?t matter (?:any ?more|now)|it is what it is|i suppose (?:that'?s|it'?s) (?:it|that)|i guess (?:that'?s|it'?s) (?:it|that|fine)|what can you do|whatever(?:,| you) (?:think|want)|yeah,? no,? whatever|forget it|just leave it|i don'?t (?:even )?know (?:any ?more|what to do)|i guess (?:i'?ll|we'?ll|i have to|we have to)|oh\. okay\.)",
    ),
    r(
        Sad,
        1.2,
        "sad word",
        r"\b(?:sad|sadly|unhappy|depress\w*|heartbroken|devastat\w*|gutted|miserable|upset|crying|cry|tears|(?:bit|so|really|feeling|pretty|quite|been) down|feeling low|grief|griev\w*|miss (?:him|her|them)|disappoint\w*|let down|hurt|emotional|heavy heart)\b",
    ),
    // Satisfaction: thanks, praise, solved.
    r(
        Satisfied,
        1.2,
        "thanks",
        r"\b(?:thank(?:s| you)(?: (?:so|very) much| a million| loads)?|cheers|much appreciated|appreciate (?:it|that|your|you)|grateful)\b",
    ),
    r(
        Satisfied,
        1.4,
        "praise",
        r"\b(?:(?:that'?s|that is|this is|you'?re|you are|you'?ve been) (?:great|brilliant|perfect|fantastic|amazing|excellent|wonderful|lovely|a star|a lifesaver|so helpful|very helpful|really helpful|really kind|so kind)|great service|well done|brilliant|perfect|fantastic|excellent|amazing|wonderful|lovely|superb|spot on|lifesaver|legend|you'?re a star|(?:that was|that'?s|so|really|super) (?:quick|fast|easy|simple|painless|smooth)|made (?:this|it|that) (?:really |so )?easy|can'?t complain|no complaints|fair play|above and beyond|impressed)\b",
    ),
    r(
        Satisfied,
        1.4,
        "solved",
        r"\b(?:(?:that'?s|that has|it'?s|it has|that) (?:sorted|solved|fixed|done the trick|worked|working now)|works (?:now|again|perfectly)|(?:all|problem) (?:sorted|solved|fixed)|back (?:on|online|up and running)|finally (?:working|sorted|arrived|fixed)|that'?s all i needed|made my day|relieved|relief|happy|pleased|glad|delighted|chuffed|already there)\b",
    ),
];

/// Mandarin rules (matched on the text as said).
const ZH: &[Rule] = &[
    r(
        Angry,
        1.6,
        "threat",
        r"(?:不用你们(?:的|家)?了|换(?:一家|别家|运营商|银行)|再也不(?:用|买|来)|(?:不然|否则|要不然)(?:我|就)|(?:我就|我马上)(?:退|注销|销户|取消))",
    ),
    r(
        Angry,
        2.0,
        "legal",
        r"(?:(?:我要|我会|我去|我就|准备|我得)(?:起诉|告|找律师|请律师|打官司|投诉到)|告你们|律师函|法院见|消协|消费者协会|工商|12315|12345|市场监管|监管部门|工信部|银保监|仲裁)",
    ),
    r(
        Angry,
        1.4,
        "complaint",
        r"(?:投诉|举报|曝光|媒体|记者|发到网上|发微博|差评)",
    ),
    r(
        Angry,
        1.6,
        "insult",
        r"(?:骗子|垃圾|废物|什么破|破(?:网|公司|系统|服务)|坑人|坑钱|黑心|无耻|耍我|耍人|忽悠|不要脸|有病|脑子|混蛋|王八蛋|欺负人|欺人太甚|岂有此理|太过分|离谱|不像话|开什么玩笑|搞什么|什么玩意|什么态度|强盗|抢钱)",
    ),
    r(
        Angry,
        1.8,
        "profanity",
        r"(?:他妈|妈的|特么|tm的|尼玛|卧槽|我靠|靠[!！,，]|操|tmd|nmd|滚)",
    ),
    r(
        Angry,
        1.2,
        "demand",
        r"(?:马上|立刻|立即|现在就|今天必须|必须给我|(?:你|你们|赶紧|马上|立刻)给我(?:退|解决|说清楚|一个说法)|叫你们(?:领导|经理|主管|负责人)|找你们(?:领导|经理|主管)|让你们(?:领导|经理|主管)|赔钱|赔偿|给个说法)",
    ),
    r(
        Angry,
        1.0,
        "anger word",
        r"(?:生气|愤怒|气愤|火大|恼火|发火|受够了|忍无可忍|气人|气死|气炸|太可气)",
    ),
    r(
        Frustrated,
        1.4,
        "repeat contact",
        r"(?:第[二三四五六七八九十几]次|[两二三四五六七八九十几好多]+次了?|打了(?:好|很)?(?:几|多|无数)(?:次|遍|个)|已经(?:说|讲|打|问|反映)(?:了|过)|每次(?:打|都)|又(?:是|来|要|让|说|不|没|出|坏|断|扣)|还是(?:不|没|一样|老样子)|重复)",
    ),
    r(
        Frustrated,
        1.1,
        "still",
        r"(?:到现在(?:还|都)|一直(?:没|不|都没|在等)|还没(?:有)?(?:到|好|解决|处理|回|退|收到|修)|都没(?:人|有人)|没人(?:管|理|回|联系|接)|石沉大海|没(?:有)?(?:下文|回音|消息|动静))",
    ),
    r(
        Frustrated,
        1.1,
        "waiting",
        r"(?:等了(?:半天|好久|很久|[一两二三四五六七八九十几\d]+(?:个)?(?:小时|天|周|星期|月|分钟))|排队|一直等|等到什么时候|要等多久|多久才|什么时候才)",
    ),
    r(
        Frustrated,
        1.2,
        "passed around",
        r"(?:转来转去|踢皮球|推来推去|推给|互相推|转了(?:好)?几次|又转|让我找|不归(?:你们|我们)管)",
    ),
    r(
        Frustrated,
        0.6,
        "not working",
        r"(?:用不了|打不开|连不上|上不了网|没信号|断网|卡死|登不上|登不进|进不去|收不到|打不通|没反应|登录不了|老是(?:断|掉|卡|出)|总是(?:断|掉|卡|出)|又断|又坏|坏了)",
    ),
    r(
        Frustrated,
        1.3,
        "sarcasm",
        r"(?:呵呵|真是(?:太)?(?:好|棒|厉害|感谢)(?:了|啊)?[,，。!！]?.{0,12}(?:又|还|没|不)|谢谢你们(?:啊|哦)?[,，].{0,8}(?:又|还|没)|你们可真(?:行|厉害|会)|服了|佩服|效率(?:真|可真)(?:高|快))",
    ),
    r(
        Frustrated,
        1.0,
        "rhetorical",
        r"(?:到底(?:怎么|什么|要|还|是)|怎么回事|怎么(?:又|还|老|总)|怎么.{0,8}(?:没|不)(?:有|记录|处理|回|到)|为什么(?:又|还|老|总|每次)|有没有人|有这么难吗|很难吗|什么意思|凭什么|一会儿.{0,10}一会儿)",
    ),
    r(
        Frustrated,
        0.9,
        "fed up",
        r"(?:烦(?:死|人|了|透)?|无语|郁闷|头疼|折腾|麻烦死|受不了|不耐烦|憋屈|窝火|浪费(?:我的)?时间|没完没了|一点用都没有|没用)",
    ),
    r(
        Anxious,
        1.6,
        "what if",
        r"(?:怎么办|咋办|会不会|万一|要是.{0,10}(?:怎么|会)|能不能(?:赶上|来得及|走)|是不是(?:被|要|会)|不会(?:被|有)|有没有(?:风险|影响|事)|安全吗|还能(?:拿回|要回|找回)|会影响|要不要|该不该|是真的假的|是真的吗|靠谱吗)",
    ),
    r(
        Anxious,
        1.2,
        "deadline",
        r"(?:来不及|截止|最后一天|明天就|明天一早|明早|今晚就|后天就|马上就要|今天之内|周[一二三四五六日末]之前|月底之前|之前(?:必须|一定|得)|赶(?:时间|着)|急用|急着|急需|尽快|越快越好|(?:几|[一二两三四五六七八九十\d]+)个?小时(?:后|以后|之后)|还得给孩子)",
    ),
    r(
        Anxious,
        1.3,
        "money at risk",
        r"(?:逾期|征信|扣款失败|余额不足|交不起|还不上|欠费|停机|断(?:水|电|气)|罚款|滞纳金|违约金|房租|学费|工资(?:没|还没)|被(?:扣|冻结)|冻结)",
    ),
    r(
        Anxious,
        1.4,
        "fraud",
        r"(?:被盗|盗刷|诈骗|被骗|不是我(?:本人)?(?:买|刷|操作|消费|登录)|我(?:啥|什么)(?:也|都)没(?:买|消费|操作|点)|连着扣|不认识(?:这笔|这个)|陌生(?:号码|消费)|异常(?:登录|消费|交易)|被(?:人)?(?:登录|冒用)|泄露|冒火花|冒烟|煤气味|燃气味|漏气)",
    ),
    r(
        Anxious,
        1.4,
        "worry word",
        r"(?:担心|害怕|怕|紧张|着急|急死|焦虑|慌|心里没底|不安|睡不着|吓(?:死|坏|了)|忐忑|提心吊胆|住院|手术)",
    ),
    r(
        Anxious,
        0.8,
        "pleading",
        r"(?:求求|拜托|千万|麻烦(?:您|你)?一定|务必|帮帮我|救救)",
    ),
    r(
        Sad,
        1.8,
        "loss",
        r"(?:去世|过世|走了以后|离开(?:我们|了我们)|不在了|葬礼|后事|遗物|遗产|生前|病重|离婚|分手|失业|丢了工作|被裁|倒闭|(?:爸|妈|奶奶|爷爷|外婆|外公|姥姥|姥爷|老伴|丈夫|老公|妻子|老婆|父亲|母亲|儿子|女儿)(?:上个月|去年|前几天|前阵子|刚)?(?:走了|走之前|走后|没了))",
    ),
    r(
        Sad,
        1.0,
        "alone",
        r"(?:孤单|孤独|没人(?:陪|可以说)|没有人(?:陪|管我)|以前都是(?:他|她)|老伴|就剩我一个)",
    ),
    r(
        Sad,
        1.1,
        "resigned",
        r"(?:算了(?:吧)?|无所谓了|就这样吧|没办法|也没办法|认了|随便吧|不想(?:再)?(?:折腾|说)了|唉|不知道(?:该)?怎么办了|有什么用|舍不得|一晃|不顺|反正)",
    ),
    r(
        Sad,
        1.2,
        "sad word",
        r"(?:难过|伤心|失望|心寒|心酸|委屈|沮丧|低落|失落|想哭|哭了|心里不好受|不是滋味|空落落|不开心|痛苦|难受|遗憾)",
    ),
    r(
        Satisfied,
        1.2,
        "thanks",
        r"(?:谢谢|感谢|多谢|辛苦(?:了|你|您)|麻烦你了|太感谢)",
    ),
    r(
        Satisfied,
        1.4,
        "praise",
        r"(?:太好了|太棒了|真棒|很棒|不错|挺好|很好|满意|专业|耐心|给力|靠谱|贴心|周到|效率(?:很|挺)高|点赞|好评|五星|没得说|感动|态度(?:很|真|特别)好)",
    ),
    r(
        Satisfied,
        1.4,
        "solved",
        r"(?:解决了|搞定|弄好了|好了好了|可以了|没问题了|收到了|到账了|恢复了|能用了|放心了|安心了|松了口气|终于(?:好|到|解决|通)|开心|高兴)",
    ),
];

/// Words that turn a cue right after them around ("not happy", 不满意): its evidence is
/// dropped (and, for satisfaction, counted as frustration).
static NEGATED_EN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?:not|never|no|hardly|isn'?t|wasn'?t|aren'?t|don'?t|doesn'?t|didn'?t|won'?t|nothing|far from)(?:\s+\w+){0,2}\s*$",
    )
});
static NEGATED_ZH: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?:不|没|没有|(?:^|[^特区分级告识派性类个])别|并不|不太|不是很|一点也不|一点都不)$")
});
/// Softeners before an anger word make it frustration ("a bit annoyed" is not rage).
static SOFTENED_EN: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"\b(?:a (?:bit|little)|slightly|somewhat|kind of|kinda|sort of)\s*$")
});
static SOFTENED_ZH: LazyLock<Regex> = LazyLock::new(|| compile(r"(?:有点|有些|有一点|稍微)$"));

/// Compiles the patterns now, not on a call's first words.
pub(super) fn warm() {
    LazyLock::force(&RULES_EN);
    LazyLock::force(&RULES_ZH);
    LazyLock::force(&NEGATED_EN);
    LazyLock::force(&NEGATED_ZH);
    LazyLock::force(&SOFTENED_EN);
    LazyLock::force(&SOFTENED_ZH);
}

/// A cue found in an utterance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cue {
    /// The label it speaks for.
    pub label: Label,
    /// The rule's name ("repeat contact", "legal"…).
    pub name: &'static str,
    /// The words that matched.
    pub text: String,
    /// Its weight (negative when a negation turned it around).
    pub weight: f32,
}

struct Compiled {
    label: Label,
    weight: f32,
    name: &'static str,
    regex: Regex,
}

fn compile(p: &str) -> Regex {
    Regex::new(p).unwrap_or_else(|e| unreachable!("cue patterns are valid: {e}"))
}

fn compile_all(rules: &[Rule]) -> Vec<Compiled> {
    rules
        .iter()
        .map(|r| Compiled {
            label: r.label,
            weight: r.weight,
            name: r.name,
            regex: compile(r.pattern),
        })
        .collect()
}

static RULES_EN: LazyLock<Vec<Compiled>> = LazyLock::new(|| compile_all(EN));
static RULES_ZH: LazyLock<Vec<Compiled>> = LazyLock::new(|| compile_all(ZH));

/// Every cue in `text` (already lower-cased for English), at most one per rule. A cue right
/// after a negation does not count for its label; a negated satisfaction ("not happy") and
/// a negated worry do not either, but the former is counted as frustration.
pub fn find(text: &str, mandarin: bool) -> Vec<Cue> {
    let (rules, negation, softened) = if mandarin {
        (&*RULES_ZH, &*NEGATED_ZH, &*SOFTENED_ZH)
    } else {
        (&*RULES_EN, &*NEGATED_EN, &*SOFTENED_EN)
    };
    let mut out = Vec::new();
    for rule in rules {
        let Some(m) = rule.regex.find(text) else {
            continue;
        };
        let before = &text[..m.start()];
        let negated = negation.is_match(before);
        let (label, weight) = match (negated, rule.label) {
            (false, Angry) if softened.is_match(before) => (Frustrated, rule.weight),
            (false, l) => (l, rule.weight),
            (true, Satisfied) => (Frustrated, 0.8 * rule.weight),
            (true, l) => (l, 0.0),
        };
        if weight > 0.0 {
            out.push(Cue {
                label,
                name: rule.name,
                text: m.as_str().trim().to_string(),
                weight,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str, zh: bool) -> Vec<(Label, &'static str)> {
        find(text, zh).iter().map(|c| (c.label, c.name)).collect()
    }

    #[test]
    fn cues_speak_for_their_label() {
        assert!(
            labels("this is the third time i've called", false)
                .contains(&(Frustrated, "repeat contact"))
        );
        assert!(labels("i'll be talking to my lawyer", false).contains(&(Angry, "legal")));
        assert!(labels("这已经是第三次了", true).contains(&(Frustrated, "repeat contact")));
        assert!(labels("我要去消协投诉你们", true).contains(&(Angry, "legal")));
    }

    #[test]
    fn a_negated_cue_does_not_count_and_negated_praise_is_frustration() {
        assert_eq!(labels("i'm not worried about it", false), vec![]);
        assert_eq!(
            labels("i'm not pleased", false),
            vec![(Frustrated, "solved")]
        );
        assert_eq!(labels("我不担心", true), vec![]);
    }
}
