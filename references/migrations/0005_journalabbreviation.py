from django.db import migrations, models

from references.journals import journal_key

# The NLM Catalog's title and MEDLINE abbreviation of about a hundred of the
# journals medical writers cite most, written from the NLM Catalog.
JOURNALS = [
    ("The New England journal of medicine", "N Engl J Med"),
    ("Lancet (London, England)", "Lancet"),
    ("JAMA", "JAMA"),
    ("BMJ (Clinical research ed.)", "BMJ"),
    ("Nature", "Nature"),
    ("Science (New York, N.Y.)", "Science"),
    ("Cell", "Cell"),
    ("Nature medicine", "Nat Med"),
    ("Annals of internal medicine", "Ann Intern Med"),
    ("JAMA internal medicine", "JAMA Intern Med"),
    ("PLoS medicine", "PLoS Med"),
    ("PloS one", "PLoS One"),
    (
        "Proceedings of the National Academy of Sciences of the United States of America",
        "Proc Natl Acad Sci U S A",
    ),
    ("Circulation", "Circulation"),
    ("Journal of the American College of Cardiology", "J Am Coll Cardiol"),
    ("European heart journal", "Eur Heart J"),
    ("Journal of the American Heart Association", "J Am Heart Assoc"),
    ("Hypertension (Dallas, Tex. : 1979)", "Hypertension"),
    ("Stroke", "Stroke"),
    ("The Lancet. Oncology", "Lancet Oncol"),
    (
        "Journal of clinical oncology : official journal of the American Society of Clinical Oncology",
        "J Clin Oncol",
    ),
    ("CA: a cancer journal for clinicians", "CA Cancer J Clin"),
    ("JAMA oncology", "JAMA Oncol"),
    ("Cancer", "Cancer"),
    ("Cancer research", "Cancer Res"),
    ("Blood", "Blood"),
    ("Gastroenterology", "Gastroenterology"),
    ("Gut", "Gut"),
    ("Hepatology (Baltimore, Md.)", "Hepatology"),
    ("Journal of hepatology", "J Hepatol"),
    ("The American journal of gastroenterology", "Am J Gastroenterol"),
    ("Alimentary pharmacology & therapeutics", "Aliment Pharmacol Ther"),
    ("The Lancet. Gastroenterology & hepatology", "Lancet Gastroenterol Hepatol"),
    ("Diabetes care", "Diabetes Care"),
    ("Diabetes", "Diabetes"),
    ("Diabetologia", "Diabetologia"),
    ("The Lancet. Diabetes & endocrinology", "Lancet Diabetes Endocrinol"),
    ("The Journal of clinical endocrinology and metabolism", "J Clin Endocrinol Metab"),
    ("Obesity (Silver Spring, Md.)", "Obesity (Silver Spring)"),
    ("International journal of obesity (2005)", "Int J Obes (Lond)"),
    ("Obstetrics and gynecology", "Obstet Gynecol"),
    ("American journal of obstetrics and gynecology", "Am J Obstet Gynecol"),
    ("BJOG : an international journal of obstetrics and gynaecology", "BJOG"),
    ("Ultrasound in obstetrics & gynecology", "Ultrasound Obstet Gynecol"),
    ("Human reproduction (Oxford, England)", "Hum Reprod"),
    ("Human reproduction update", "Hum Reprod Update"),
    ("Fertility and sterility", "Fertil Steril"),
    ("Reproductive biomedicine online", "Reprod Biomed Online"),
    ("Contraception", "Contraception"),
    ("Menopause (New York, N.Y.)", "Menopause"),
    ("The Cochrane database of systematic reviews", "Cochrane Database Syst Rev"),
    ("Pediatrics", "Pediatrics"),
    ("JAMA pediatrics", "JAMA Pediatr"),
    ("The Journal of pediatrics", "J Pediatr"),
    ("Archives of disease in childhood", "Arch Dis Child"),
    ("The Lancet. Child & adolescent health", "Lancet Child Adolesc Health"),
    ("JAMA psychiatry", "JAMA Psychiatry"),
    ("The American journal of psychiatry", "Am J Psychiatry"),
    ("The lancet. Psychiatry", "Lancet Psychiatry"),
    (
        "The British journal of psychiatry : the journal of mental science",
        "Br J Psychiatry",
    ),
    ("Psychological medicine", "Psychol Med"),
    ("Journal of affective disorders", "J Affect Disord"),
    ("Addiction (Abingdon, England)", "Addiction"),
    ("Neurology", "Neurology"),
    ("The Lancet. Neurology", "Lancet Neurol"),
    ("JAMA neurology", "JAMA Neurol"),
    ("Brain : a journal of neurology", "Brain"),
    ("Annals of neurology", "Ann Neurol"),
    ("Sleep", "Sleep"),
    (
        "American journal of respiratory and critical care medicine",
        "Am J Respir Crit Care Med",
    ),
    ("The Lancet. Respiratory medicine", "Lancet Respir Med"),
    ("The European respiratory journal", "Eur Respir J"),
    ("Thorax", "Thorax"),
    ("Chest", "Chest"),
    ("Critical care medicine", "Crit Care Med"),
    ("Intensive care medicine", "Intensive Care Med"),
    ("The Lancet. Infectious diseases", "Lancet Infect Dis"),
    (
        "Clinical infectious diseases : an official publication of the Infectious Diseases Society of America",
        "Clin Infect Dis",
    ),
    ("The Journal of infectious diseases", "J Infect Dis"),
    ("The Lancet. HIV", "Lancet HIV"),
    ("Vaccine", "Vaccine"),
    ("Kidney international", "Kidney Int"),
    ("Journal of the American Society of Nephrology : JASN", "J Am Soc Nephrol"),
    ("Annals of the rheumatic diseases", "Ann Rheum Dis"),
    ("Arthritis & rheumatology (Hoboken, N.J.)", "Arthritis Rheumatol"),
    ("The Journal of allergy and clinical immunology", "J Allergy Clin Immunol"),
    ("JAMA dermatology", "JAMA Dermatol"),
    ("The British journal of dermatology", "Br J Dermatol"),
    ("Journal of the American Academy of Dermatology", "J Am Acad Dermatol"),
    ("Ophthalmology", "Ophthalmology"),
    ("JAMA ophthalmology", "JAMA Ophthalmol"),
    ("Annals of surgery", "Ann Surg"),
    ("JAMA surgery", "JAMA Surg"),
    ("The British journal of surgery", "Br J Surg"),
    ("Anesthesiology", "Anesthesiology"),
    ("British journal of anaesthesia", "Br J Anaesth"),
    ("Radiology", "Radiology"),
    ("The Lancet. Public health", "Lancet Public Health"),
    ("American journal of public health", "Am J Public Health"),
    ("American journal of epidemiology", "Am J Epidemiol"),
    ("International journal of epidemiology", "Int J Epidemiol"),
    ("Tobacco control", "Tob Control"),
    ("The American journal of clinical nutrition", "Am J Clin Nutr"),
    ("The British journal of nutrition", "Br J Nutr"),
    ("JAMA network open", "JAMA Netw Open"),
    ("BMJ open", "BMJ Open"),
    ("Scientific reports", "Sci Rep"),
    ("Nature communications", "Nat Commun"),
    ("Nature reviews. Disease primers", "Nat Rev Dis Primers"),
    ("Journal of general internal medicine", "J Gen Intern Med"),
    ("The American journal of medicine", "Am J Med"),
    ("Mayo Clinic proceedings", "Mayo Clin Proc"),
    (
        "CMAJ : Canadian Medical Association journal = journal de l'Association medicale canadienne",
        "CMAJ",
    ),
    ("The Medical journal of Australia", "Med J Aust"),
    (
        "The British journal of general practice : the journal of the Royal College of General Practitioners",
        "Br J Gen Pract",
    ),
    ("Annals of family medicine", "Ann Fam Med"),
    ("Journal of the American Geriatrics Society", "J Am Geriatr Soc"),
    ("Osteoporosis international", "Osteoporos Int"),
    ("Journal of bone and mineral research", "J Bone Miner Res"),
    ("European journal of medical genetics", "Eur J Med Genet"),
]


def add_journals(apps, schema_editor):
    JournalAbbreviation = apps.get_model("references", "JournalAbbreviation")
    JournalAbbreviation.objects.bulk_create(
        [
            JournalAbbreviation(
                title=title, abbreviation=abbreviation, key=journal_key(title)
            )
            for title, abbreviation in JOURNALS
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("references", "0004_pendingimport_progress")]

    operations = [
        migrations.CreateModel(
            name="JournalAbbreviation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="The title as the NLM Catalog gives it, e.g. “Human reproduction (Oxford, England)”. Records match it without case, punctuation, a leading “The” or a place in brackets.",
                        max_length=300,
                        verbose_name="NLM title",
                    ),
                ),
                (
                    "abbreviation",
                    models.CharField(
                        help_text="The NLM (MEDLINE) abbreviation, e.g. “Hum Reprod”.",
                        max_length=200,
                        verbose_name="NLM abbreviation",
                    ),
                ),
                ("key", models.CharField(editable=False, max_length=300, unique=True)),
            ],
            options={
                "verbose_name": "journal abbreviation",
                "verbose_name_plural": "journal abbreviations",
                "ordering": ["title"],
            },
        ),
        migrations.RunPython(add_journals, migrations.RunPython.noop),
    ]
