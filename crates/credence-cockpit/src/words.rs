//! Every fixed word of the cockpit in both languages. Each label is declared once with
//! its English and Chinese text, so a label cannot exist in one language only: the
//! compiler refuses a [`Words`] value with a field missing.

pub use credence_domain::Lang;

/// The cockpit's fixed words in a language.
pub trait LangWords {
    fn words(self) -> &'static Words;
}

impl LangWords for Lang {
    fn words(self) -> &'static Words {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

macro_rules! words {
    ($($key:ident: $en:literal, $zh:literal;)+) => {
        /// The fixed words of the cockpit in one language.
        #[derive(Debug)]
        pub struct Words {
            $(pub $key: &'static str,)+
        }

        /// English.
        pub static EN: Words = Words { $($key: $en,)+ };
        /// Chinese.
        pub static ZH: Words = Words { $($key: $zh,)+ };

        /// Every label's (key, English, Chinese), for checks.
        pub const ALL_WORDS: &[(&str, &str, &str)] = &[$((stringify!($key), $en, $zh),)+];
    };
}

words! {
    product: "Credit risk", "信用风险管理";
    skip_to_content: "Skip to content", "跳到正文";
    main_menu: "Main menu", "主菜单";
    nav_cockpit: "Cockpit", "驾驶舱";
    nav_customers: "Customers", "客户";
    nav_work: "Alerts & cases", "预警与处置";
    nav_control: "Credit control", "信用管控";
    nav_models: "Models & rules", "模型与规则";
    nav_billing: "Billing accounts", "电费客户信用";
    sign_in: "Sign in", "登录";
    sign_out: "Sign out", "退出";
    username: "Username", "用户名";
    password: "Password", "密码";
    sign_in_title: "Sign in to Credence", "登录 Credence";
    sign_in_failed: "Wrong username or password, or the account is disabled.", "用户名或密码错误，或账号已停用。";
    sign_in_throttled: "Too many failed sign-ins; try again later.", "登录失败次数过多，请稍后再试。";
    language: "Language", "语言";
    switch_language: "Switch language", "切换语言";
    signed_in_as: "Signed in as", "当前用户";
    as_of: "As of", "数据日期";
    artefacts_in_use: "In use", "在用版本";
    art_catalogue: "catalogue", "指标目录";
    art_model: "model", "评级模型";
    art_policy: "policy", "信用政策";
    art_billing_policy: "billing policy", "电费信用政策";
    art_rule_pack: "rule pack", "预警规则包";
    art_strategy: "strategy", "催收策略";
    art_groups: "groups", "集团识别配置";
    job_nightly_rating: "Nightly rating", "夜间评级";
    job_warnings: "Warning run", "预警运行";
    job_notifications: "Notification delivery", "通知投递";
    jobs_title: "Scheduled jobs", "定时作业";
    job: "Job", "作业";
    schedule: "Schedule", "计划";
    next_run: "Next run", "下次运行";
    latest_runs: "Latest runs", "最近运行";
    instance: "Instance", "实例";
    started: "Started", "开始";
    finished: "Finished", "结束";
    no_jobs_here: "This instance schedules no jobs; another may.", "本实例不调度定时作业，其他实例可能调度。";
    no_runs_yet: "No run recorded yet.", "尚无运行记录。";
    time_zone: "Time zone", "时区";
    currency: "Currency", "币种";
    amounts_in: "Amounts in", "金额单位";
    portfolio_cockpit: "Portfolio cockpit", "风险预警驾驶舱";
    customers: "Customers", "客户数";
    rated: "Rated", "已评级";
    exposure: "Exposure", "风险敞口";
    receivables: "Receivables", "应收账款";
    limit: "Limit", "授信额度";
    headroom: "Headroom", "可用额度";
    utilisation: "Utilisation", "额度使用率";
    overdue: "Overdue", "逾期";
    overdue_rate: "Overdue rate", "逾期率";
    over_90: "Over 90 days", "逾期90天以上";
    weighted_pd: "Exposure-weighted PD", "敞口加权违约概率";
    expected_loss: "Expected loss", "预期损失";
    expected_loss_note: "PD × LGD × exposure, LGD", "违约概率 × 违约损失率 × 敞口，违约损失率";
    over_limit_customers: "Over their limit", "超限客户";
    level_red: "Red", "红色";
    level_yellow: "Yellow", "黄色";
    level_green: "Green", "绿色";
    watch: "on watch", "关注";
    levels_title: "Warning levels", "预警等级";
    share_of_exposure: "of exposure", "占敞口";
    rating_distribution: "Rating distribution", "评级分布";
    grade: "Grade", "等级";
    unrated: "Unrated", "未评级";
    heat_map: "Risk heat map", "风险热力图";
    heat_map_note: "Exposure-weighted PD by industry and", "按行业与维度的敞口加权违约概率：";
    by_region: "Region", "地区";
    by_business_line: "Business line", "业务条线";
    industry: "Industry", "行业";
    region: "Region", "地区";
    business_line: "Business line", "业务条线";
    largest_exposures: "Largest exposures", "最大敞口";
    concentration: "Concentration", "集中度";
    hhi_customers: "HHI (customers)", "HHI（按客户）";
    hhi_groups: "HHI (groups as one obligor)", "HHI（集团合并）";
    top10_share: "Top 10 share", "前十大占比";
    largest_group: "Largest group", "最大集团";
    trend_pd: "Average PD by rating date", "各评级日平均违约概率";
    trend_overdue: "Overdue rate by month end", "各月末逾期率";
    new_alerts: "New alerts (last 7 days)", "新增预警（近7天）";
    overdue_cases: "Overdue cases", "超期处置案件";
    none: "None", "无";
    see_all: "See all", "查看全部";
    customer: "Customer", "客户";
    customer_id: "Customer ID", "客户编号";
    name: "Name", "名称";
    pd: "PD", "违约概率";
    score: "Score", "评分";
    level: "Level", "预警等级";
    filters: "Filters", "筛选条件";
    clear_filters: "Clear filters", "清除筛选";
    sort_by: "Sort by", "排序";
    previous: "Previous", "上一页";
    next: "Next", "下一页";
    page: "Page", "页码";
    of: "of", "/";
    search: "Search", "搜索";
    search_placeholder: "ID or name", "编号或名称";
    customer_list: "Customers", "客户列表";
    no_customers: "No customer matches.", "没有符合条件的客户。";
    master_data: "Master data", "基本信息";
    rating: "Rating", "信用评级";
    letter_grade: "Letter grade", "字母等级";
    point_grade: "100-point grade", "百分制等级";
    sub_model: "Sub-model", "子模型";
    model_version: "Model", "模型版本";
    not_rated: "Not rated yet.", "尚未评级。";
    overridden: "Overridden", "人工调整";
    knockouts: "Knock-outs and caps", "否决项与上限";
    explanation: "Why this grade", "评级依据";
    dimension: "Dimension", "维度";
    points: "Points", "得分";
    weight: "Weight", "权重";
    contribution: "Contribution", "贡献";
    value: "Value", "数值";
    indicator: "Indicator", "指标";
    peer_median: "Industry median", "行业中位数";
    dimensions_radar: "Score by dimension", "各维度得分";
    this_customer: "This customer", "本客户";
    indicators: "Indicators", "指标";
    indicator_trends: "Indicator trends with industry median", "指标趋势与行业中位数";
    standing: "Credit standing", "授信状况";
    temporary_limit: "Temporary limit", "临时额度";
    available: "Available", "可用";
    overdue_items: "Overdue invoices", "逾期发票";
    aging: "Aging", "账龄";
    bucket: "Bucket", "账龄段";
    invoice: "Invoice", "发票";
    due: "Due", "到期日";
    days_overdue: "Days overdue", "逾期天数";
    open_amount: "Open", "未收金额";
    events: "Events", "事件";
    date: "Date", "日期";
    kind: "Kind", "类型";
    description: "Description", "描述";
    source: "Source", "来源";
    relations: "Group and guarantees", "集团与担保关系";
    group: "Group", "集团";
    controller: "Actual controller", "实际控制人";
    no_group: "Not in a group.", "不属于集团。";
    outside_scope_party: "A related party outside your scope", "您数据范围之外的关联方";
    withheld_outside_scope: "Withheld: it names a customer outside your scope.", "不予显示：涉及您数据范围之外的客户。";
    group_needs_permission: "Shown to roles that may read groups.", "仅对有集团查看权限的角色显示。";
    guarantee_circles: "Guarantee circles", "担保圈";
    open_alerts: "Open alerts", "未关闭预警";
    open_cases: "Open cases", "处置中案件";
    rating_history: "Rating history", "评级历史";
    migrations: "Grade changes", "等级迁移";
    print: "Print report", "打印报告";
    data_changed: "The records changed after this rating; the next run re-rates the customer.", "评级后数据有更新，下次评级将重新评定。";
    breakdown_gap: "The breakdown of this rating cannot be shown: ", "无法显示本次评级的明细：";
    alerts_and_cases: "Alerts and cases", "预警与处置";
    work_queue: "Work queue", "工作队列";
    case: "Case", "案件";
    stage: "Stage", "阶段";
    owner: "Owner", "负责人";
    deadline: "Deadline", "处置时限";
    time_left: "left", "剩余";
    overdue_by: "overdue by", "已超时";
    status: "Status", "状态";
    opened: "Opened", "立案时间";
    rule: "Rule", "规则";
    evidence: "Evidence", "依据";
    raised: "Raised", "触发日期";
    case_log: "Case log", "处置记录";
    actions: "Actions", "操作";
    assign_to: "Assign to", "转交给";
    assign: "Assign", "转交";
    record_action: "Record an action", "记录处置动作";
    action_taken: "What was done", "已采取的措施";
    template: "Emergency plan", "应急预案";
    no_template: "No template", "不使用预案";
    escalate: "Escalate", "升级";
    escalate_note: "Why escalate", "升级原因";
    close_case: "Close case", "结案";
    outcome: "Outcome", "处置结果";
    save: "Save", "保存";
    only_overdue: "Only overdue", "仅显示超时";
    all_levels: "All levels", "全部等级";
    no_cases: "No case.", "没有案件。";
    blocked_orders: "Blocked orders", "被拦截订单";
    order: "Order", "订单";
    amount: "Amount", "金额";
    failed_steps: "Failed checks", "未通过项";
    remedy: "Remedy", "解除方案";
    release: "Release", "放行";
    reject: "Reject", "拒绝";
    recheck: "Recheck", "重新校验";
    reason: "Reason", "理由";
    limit_requests: "Limit requests awaiting you", "待您审批的额度申请";
    current_limit: "Current limit", "现有额度";
    requested_limit: "Requested limit", "申请额度";
    term_days: "Term (days)", "账期（天）";
    route: "Approval route", "审批路径";
    approve: "Approve", "批准";
    comment: "Comment", "意见";
    authority: "Decide as", "审批身份";
    worklist: "Collection worklist", "催收工作清单";
    collector: "Collector", "催收人";
    action: "Action", "动作";
    due_on: "Due on", "应办日期";
    nothing_pending: "Nothing pending.", "没有待办事项。";
    models: "Registered models", "已注册模型";
    version: "Version", "版本";
    trained: "Trained", "训练时间";
    auc: "AUC", "AUC";
    ks: "KS", "KS";
    gini: "Gini", "基尼系数";
    drift: "Drift (PSI)", "漂移（PSI）";
    runs: "Runs", "运行记录";
    stable: "stable", "稳定";
    watch_level: "watch", "关注";
    act_level: "act", "需处理";
    no_models: "No model is registered.", "尚未注册模型。";
    rule_pack: "Early-warning rules", "预警规则";
    rule_performance: "Performance on history", "历史回测表现";
    measuring: "performance on history being measured; reload in a minute", "正在按历史数据回测规则表现，请稍后刷新";
    precision: "Precision", "精确率";
    recall: "Recall", "召回率";
    lead_days: "Median lead (days)", "中位提前天数";
    false_alarms: "False alarms", "误报率";
    firings: "Firings", "触发次数";
    flagged: "Flagged", "预警占比";
    lift: "Lift", "提升度";
    alerts_month: "Alerts / month", "月均新增预警";
    caught_alone: "Caught alone", "独有捕获";
    below_base_rate: "below the base rate: fires no more often before a default than at random", "低于基准违约率：触发后违约的概率不高于随机抽取";
    base_rate: "base rate", "基准违约率";
    whole_pack: "The pack: yellow or red by its level policy", "规则包整体：按等级规则为黄色或红色";
    condition: "Condition", "条件";
    forbidden: "Your role may not see this page.", "您的角色无权查看此页面。";
    not_found: "Not found.", "未找到。";
    error: "Something went wrong; quote the request id when reporting it.", "出现错误，报告时请提供请求编号。";
    back: "Back", "返回";
    done: "Saved.", "已保存。";
    refused: "Refused", "未能执行";
    yes: "yes", "是";
    no: "no", "否";
    total: "Total", "合计";
    exposure_by_level: "Exposure by level", "各等级敞口";
    counts_note: "Customers and exposure by level; every figure opens the customers behind it.", "各预警等级的客户数与敞口；点击任一数字可查看对应客户。";
    all_customers: "All customers", "全部客户";
    members: "members", "家成员";
    case_opened: "opened", "立案";
    case_joined: "alert joined", "预警并入";
    case_assigned: "assigned", "转交";
    case_action: "action", "处置动作";
    case_escalated: "escalated", "升级";
    case_overdue: "overdue", "超时";
    case_closed: "closed", "结案";
    stage_watch: "watch", "关注";
    stage_downgrade: "downgrade", "降级";
    stage_exit: "exit", "退出";
    status_open: "open", "处理中";
    status_closed: "closed", "已结案";
    billing_grades: "Accounts by grade and class", "各类别用户信用等级分布";
    account_class: "Account class", "用户类别";
    accounts: "Accounts", "户数";
    high_risk: "High risk", "高风险";
    arrears_trend: "Arrears on the next bill", "次月欠费趋势";
    supply_units: "Supply units", "供电单位";
    supply_unit: "Supply unit", "供电单位";
    high_risk_list: "Next month's high-risk list", "次月欠费高风险清单";
    account: "Account", "户号";
    forecast_pd: "Forecast PD", "预测欠费概率";
    reasons: "Reasons", "主要原因";
    no_billing_run: "No billing accounts have been graded yet: run `credence utility grade --as-of DATE`.", "尚未对电费客户评级：请运行 `credence utility grade --as-of 日期`。";
    billing_requests: "Billing terms awaiting approval", "待审批的电费结算条件";
    changes: "Changes", "变更";
    arrears_share: "Share in arrears", "欠费户比例";
    collection_rate: "Collection rate", "电费回收率";
    arrears: "Arrears", "欠费";
    old_arrears: "Old arrears", "陈欠";
    zero_arrears: "Zero arrears (accounts in arrears)", "月末结零（欠费户数）";
    held_accounts: "Electricity accounts held", "名下用电户";
    owed: "Owed", "应缴";
    penalty_due: "Late-payment penalty due", "应收违约金";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages() {
        for (key, en, zh) in ALL_WORDS {
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{key}");
            // Chinese text has Chinese characters unless it is an abbreviation kept as is
            // or a sign.
            let kept = en == zh || !zh.chars().any(|c| c.is_ascii_alphabetic());
            assert!(kept || zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{key}: {zh}");
        }
    }

    #[test]
    fn the_browser_chooses_the_language() {
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9,zh-CN;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR,fr;q=0.9,zh;q=0.7,en;q=0.5"), Lang::Zh);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(Lang::parse("中文"), Some(Lang::Zh));
    }
}
